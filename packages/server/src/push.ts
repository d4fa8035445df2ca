import { commandFingerprint, fingerprintDiffers, idempotencyKeyReused } from '@chronicle/core/sync'
import { isChronicleError, Unauthorized, type ChronicleError, type Principal, type Store } from '@chronicle/core'
import { type FoundCommand } from '@chronicle/core/storage'
import { type CommandResult, type PushCommand, type PushRequest, type PushResponse, type WireError } from '@chronicle/sync'
import type { ServerEventLog } from './storage/serverStorage'

/** What executing a push needs from the server. */
export interface PushContext {
  readonly store: Store
  readonly log: ServerEventLog
  readonly authorize: ((principal: Principal, command: PushCommand) => boolean | Promise<boolean>) | undefined
  readonly canRead: (principal: Principal, stream: string) => boolean
  /** Unexpected failures, for the server's log. */
  readonly report: (error: unknown) => void
}

/**
 * A failure that says nothing about the command itself (storage down, the server closing, a
 * stream too contended, a bug): the command is not answered, and the client pushes it again.
 */
function isTransient(error: unknown): boolean {
  return !isChronicleError(error) || isChronicleError(error, 'StorageError') || isChronicleError(error, 'ConcurrencyConflict')
}

/**
 * Executes a push's commands one after another, in the client's order, through the same store
 * pipeline as the browser: validation, `authorize`, the handler's business rules, per-stream
 * optimistic concurrency with retries, and idempotency by commandId. Stops at the first transient
 * failure; the answer then covers the commands before it.
 */
export async function executePush(context: PushContext, principal: Principal, request: PushRequest): Promise<PushResponse> {
  const results: CommandResult[] = []
  let incomplete: WireError | undefined
  for (const command of request.commands) {
    // Let other requests (and signals) in between commands: on SQLite a command never waits for
    // I/O, and a long push would otherwise hold the event loop from start to end.
    await new Promise((resolve) => setImmediate(resolve))
    try {
      results.push(await executeOne(context, principal, command))
    } catch (error) {
      if (!isTransient(error)) throw error
      if (!isChronicleError(error, 'StorageError') && !isChronicleError(error, 'ConcurrencyConflict')) context.report(error)
      incomplete = {
        code: 'unavailable',
        message: `The server stopped before command ${command.commandId}: ${error instanceof Error ? error.message : String(error)} Push it (and the ones after it) again later.`,
      }
      break
    }
  }
  const head = await context.log.head().catch(() => Math.max(0, ...results.map((r) => (r.status === 'ok' ? r.position : 0))))
  // Answered in the request's version (the answer's shape is the same in every version so far).
  return { protocol: request.protocol, results, head, ...(incomplete ? { incomplete } : {}) }
}

async function executeOne(context: PushContext, principal: Principal, command: PushCommand): Promise<CommandResult> {
  // A command answers with its execution's result, read from the log, which is the truth.
  const accepted = async (position: number, duplicate: boolean): Promise<CommandResult> => {
    const events = (await context.log.readCommand(command.commandId)).filter((event) => context.canRead(principal, event.stream))
    return { commandId: command.commandId, status: 'ok', position, duplicate, events }
  }
  // Checked before executing: run again on the state it produced, a command could fail its own
  // rules ("item exists") instead of being recognised as a repeat.
  const earlier = await context.log.findCommand(command.commandId)
  if (earlier !== undefined) return repeated(context, principal, command, earlier)

  // The server's own check comes first (e.g. a role that may not write at all); a hook that
  // throws is a server-side failure, not a verdict on the command.
  if (context.authorize && (await context.authorize(principal, command)) !== true) {
    return rejected(command, new Unauthorized('forbidden', `This principal may not run ${command.type} on this server.`))
  }
  let receipt
  try {
    receipt = command.history ? await executeHistory(context, principal, command, command.history) : await executeCommand(context, principal, command)
  } catch (error) {
    if (isTransient(error)) throw error
    if (isChronicleError(error, 'ValidationError') && error.code === 'idempotency-key-reused') return rejected(command, error)
    // A concurrent push of the same command (another request, another server process) may have
    // committed it while this one was deciding on the state it left.
    const concurrent = await context.log.findCommand(command.commandId)
    return concurrent === undefined ? rejected(command, error as ChronicleError) : repeated(context, principal, command, concurrent)
  }
  // A duplicate found by the append itself passed this principal's authorization and had the same
  // fingerprint (another one is refused there): answered like a fresh run, events filtered.
  return accepted(receipt.position, receipt.duplicate)
}

/**
 * A commandId the log already holds. The same request again (same type and payload; or no
 * fingerprint stored, for commands from before fingerprints) is answered with the first
 * execution's result. Another request under the same id is refused with ValidationError
 * `idempotency-key-reused`, and so is a repeat whose first execution wrote to streams this
 * principal may not read: another tenant's command is never confirmed, placed or shown, and both
 * refusals read the same, so neither says more than that the id is taken.
 */
async function repeated(context: PushContext, principal: Principal, command: PushCommand, earlier: FoundCommand): Promise<CommandResult> {
  if (fingerprintDiffers(earlier.fingerprint, commandFingerprint(command.type, command.payload, command.history))) return rejected(command, idempotencyKeyReused(command.commandId))
  const events = await context.log.readCommand(command.commandId)
  if (events.some((event) => !context.canRead(principal, event.stream))) return rejected(command, idempotencyKeyReused(command.commandId))
  return { commandId: command.commandId, status: 'ok', position: earlier.position, duplicate: true, events }
}

/** A command of the domain, through the store's full pipeline with the client's ids and time. */
function executeCommand(context: PushContext, principal: Principal, command: PushCommand) {
  return context.store.dispatch(
    {
      type: command.type,
      payload: command.payload,
      options: {
        commandId: command.commandId,
        at: command.at,
        ...(command.causationId !== undefined ? { causationId: command.causationId } : {}),
        ...(command.correlationId !== undefined ? { correlationId: command.correlationId } : {}),
      },
    },
    // Not this server session's own work: kept off its undo stack, which would otherwise grow
    // with every command for as long as the process runs.
    { principal, undoable: false },
  )
}

/**
 * An undo or redo pushed by a client: `store.undoCommand` with the client's commandId, so it is
 * idempotent and runs the same conflict checks as in the browser. The principal must be able to
 * read the target's stream; beyond that, the server-wide `authorize` sees the command with its
 * `history` and decides who may undo what.
 */
async function executeHistory(context: PushContext, principal: Principal, command: PushCommand, history: NonNullable<PushCommand['history']>) {
  const [target] = await context.log.readCommand(history.target)
  if (target && !context.canRead(principal, target.stream)) {
    throw new Unauthorized('forbidden', `This principal may not ${history.kind} command ${history.target}: it wrote to a stream it may not read.`)
  }
  return context.store.undoCommand(history.target, { kind: history.kind, commandId: command.commandId, at: command.at, principal })
}

function rejected(command: PushCommand, error: ChronicleError): CommandResult {
  return { commandId: command.commandId, status: 'rejected', error: error.toJSON() }
}
