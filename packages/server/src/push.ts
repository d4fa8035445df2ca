import { commandFingerprint, fingerprintDiffers, idempotencyKeyReused } from '@chronicle/core/sync'
import { isChronicleError, Unauthorized, type ChronicleError, type EventEnvelope, type Principal, type Store } from '@chronicle/core'
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
  /** The events a command committed through the server's store (remembered at its append). */
  readonly committed: (commandId: string) => readonly EventEnvelope[] | undefined
  /** The log head as far as this server knows (the live tail's). */
  readonly knownHead: () => number
}

/**
 * A failure that says nothing about the command itself (storage down, the server closing, a
 * stream too contended, a bug): the command is not answered, and the client pushes it again.
 */
function isTransient(error: unknown): boolean {
  return !isChronicleError(error) || isChronicleError(error, 'StorageError') || isChronicleError(error, 'ConcurrencyConflict')
}

/**
 * Executes a push's commands through the same store pipeline as the browser: validation,
 * `authorize`, the handler's business rules, per-stream optimistic concurrency with retries, and
 * idempotency by commandId. One lookup finds the commands that ran before; the others are
 * dispatched together, in the client's order, so they are decided one after another (each on the
 * state its predecessors left) and appended in one group commit, shared with concurrent pushes.
 * The answer covers the commands up to the first transient failure.
 */
export async function executePush(context: PushContext, principal: Principal, request: PushRequest): Promise<PushResponse> {
  const settled = await Promise.allSettled(await startAll(context, principal, request.commands))
  const results: CommandResult[] = []
  let incomplete: WireError | undefined
  for (const [i, outcome] of settled.entries()) {
    if (outcome.status === 'fulfilled') {
      results.push(outcome.value)
      continue
    }
    const error: unknown = outcome.reason
    if (!isTransient(error)) throw error
    if (!isChronicleError(error, 'StorageError') && !isChronicleError(error, 'ConcurrencyConflict')) context.report(error)
    // Commands after it may have committed too: pushed again, they are answered as duplicates.
    incomplete = {
      code: 'unavailable',
      message: `The server stopped before command ${request.commands[i]!.commandId}: ${error instanceof Error ? error.message : String(error)} Push it (and the ones after it) again later.`,
    }
    break
  }
  // Not read from the database again: what the server knows of the log's end, at least every
  // position this push answers with.
  const head = Math.max(context.knownHead(), ...results.map((r) => (r.status === 'ok' ? r.position : 0)))
  // Answered in the request's version (the answer's shape is the same in every version so far).
  return { protocol: request.protocol, results, head, ...(incomplete ? { incomplete } : {}) }
}

/**
 * Starts every command of a push; each promise settles with the command's result. Repeats are
 * answered from the log; the server-wide `authorize` runs first for all, so the fresh commands are
 * dispatched in one tick and reach one group commit. An undo or redo waits for the commands before
 * it, and the ones after it wait for it (it is decided on a state folded afresh).
 */
async function startAll(context: PushContext, principal: Principal, commands: readonly PushCommand[]): Promise<Promise<CommandResult>[]> {
  const earlier = await context.log.findCommands(commands.map((c) => c.commandId))
  // The server's own check comes first (e.g. a role that may not write at all); a hook that
  // throws is a server-side failure, not a verdict on the command.
  const verdicts = await Promise.allSettled(commands.map(async (c) => earlier.has(c.commandId) || !context.authorize || (await context.authorize(principal, c)) === true))
  const answers: Promise<CommandResult>[] = []
  let barrier: Promise<unknown> | undefined
  for (const [i, command] of commands.entries()) {
    const found = earlier.get(command.commandId)
    const verdict = verdicts[i]!
    if (found !== undefined) answers.push(repeated(context, principal, command, found))
    else if (verdict.status === 'rejected') answers.push(Promise.reject(verdict.reason as Error))
    else if (!verdict.value) answers.push(Promise.resolve(rejected(command, new Unauthorized('forbidden', `This principal may not run ${command.type} on this server.`))))
    else if (command.history) {
      const before = Promise.allSettled(answers)
      const run = before.then(() => executeOne(context, principal, command))
      answers.push(run)
      barrier = run.catch(() => undefined)
    } else answers.push(barrier ? barrier.then(() => executeOne(context, principal, command)) : executeOne(context, principal, command))
  }
  return answers
}

async function executeOne(context: PushContext, principal: Principal, command: PushCommand): Promise<CommandResult> {
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
  // A command answers with its execution's events: remembered from its commit, or (a duplicate
  // found by the append itself, which passed this principal's authorization and had the same
  // fingerprint) read from the log. Either way filtered as a fresh run's.
  const events = (receipt.duplicate ? undefined : context.committed(command.commandId)) ?? (await context.log.readCommand(command.commandId))
  return { commandId: command.commandId, status: 'ok', position: receipt.position, duplicate: receipt.duplicate, events: events.filter((event) => context.canRead(principal, event.stream)) }
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
