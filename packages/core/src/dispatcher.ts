import type { AnyCommandDefinition, CommandContext } from './command'
import { ConcurrencyConflict, HandlerError, idempotencyKeyReused, isChronicleError, StorageError } from './errors'
import type { EventEnvelope } from './event'
import { applyToAggregate, decideEvents, envelopesOf, type DecidedEvent } from './decide'
import { decideHistory } from './undoEvents'
import { commandFingerprint, fingerprintDiffers } from './fingerprint'
import type { AppendCommand, AppendOutcome, FoundCommand } from './storage/storage'
import { copyStreamState, type StreamState, type WriteModel } from './writeModel'

/** What a dispatched command answers with: where its events reached in the log, never domain data. */
export interface Receipt {
  readonly commandId: string
  /** The log position of the command's last event (the log head at the time, when it wrote none). */
  readonly position: number
  /** How many events the command wrote. */
  readonly eventCount: number
  /** True when a command with this commandId had already run: nothing new was written. */
  readonly duplicate: boolean
}

/** A command that passed validation and authorization, waiting for the next group commit. */
export interface AdmittedCommand {
  readonly definition: AnyCommandDefinition
  /** The payload as dispatched (what a sync server re-validates). */
  readonly payload: unknown
  readonly value: unknown
  readonly stream: string
  readonly context: CommandContext
  readonly causationId: string
  readonly correlationId: string
  /** An explicit commandId makes the append idempotent. */
  readonly idempotent: boolean
  /** Set for `store.history.undo()/redo()`: the command decides an Undone/Redone event instead of running `handle`. */
  readonly history?: { readonly kind: 'undo' | 'redo'; readonly target: string }
}

interface Pending extends AdmittedCommand {
  attempts: number
  resolve(receipt: Receipt): void
  reject(error: unknown): void
}

export interface DispatcherOptions {
  /** Appends one batch in one transaction (the open log's `append`); `commands[i]` made `batch[i]`. */
  readonly append: (batch: readonly AppendCommand[], commands: readonly AdmittedCommand[]) => Promise<AppendOutcome[]>
  readonly writeModel: WriteModel
  readonly origin: string
  /** The last log position this store knows of; the receipt of a command that writes nothing. */
  readonly head: () => number
  /** Called with each committed batch's events in log order, before any receipt resolves. */
  readonly onCommitted: (events: EventEnvelope[]) => void | Promise<void>
  /** Commands per group commit at most. */
  readonly maxBatch: number
  /** How often a command runs again after losing a race for its stream. */
  readonly maxAttempts: number
  /** True when the log holds events of `stream` beyond `version` (the cached state is stale). */
  readonly streamChanged: (stream: string, version: number) => Promise<boolean>
  /** Where a command ended and what it asked for, when the log recorded it (idempotent repeats). */
  readonly findCommand: (commandId: string) => Promise<FoundCommand | undefined>
  /** Called right after a batch's transaction started, with its events in order (work to overlap with the commit). */
  readonly whileAppending?: (events: readonly DecidedEvent[]) => void
  /**
   * Other processes append to the log too (a sync server on PostgreSQL): each batch first catches
   * its cached streams up with the log, and a stream others write to is copied before the batch
   * decides on it, so a lost race puts the copy back instead of folding the stream again.
   */
  readonly sharedLog?: boolean
}

/**
 * The write path's queue. Commands admitted in one burst are decided one after another (each on
 * the state its predecessors left) and appended in one transaction: group commit. While a
 * transaction is in flight, newly admitted commands gather for the next one.
 */
export interface Dispatcher {
  submit(command: AdmittedCommand): Promise<Receipt>
  /** Starts a commit of whatever is queued now, instead of at the end of the current task. */
  flush(): void
  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void>
  /** Runs `work` while no batch is in flight, holding new batches back until it is done. */
  exclusive<T>(work: () => Promise<T>): Promise<T>
  /** Rejects every queued command with `error` and accepts no more. */
  close(error: StorageError): void
}

/** What an admitted command asks for, as stored beside its id (see `commandFingerprint`). */
const fingerprintOf = (p: AdmittedCommand) => commandFingerprint(p.definition.type, p.payload, p.history)

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  /** Streams another process was seen writing to (bounded: forgotten all at once past 10,000). */
  const contended = new Set<string>()
  const markContended = (stream: string) => {
    if (contended.size >= 10_000) contended.clear()
    contended.add(stream)
  }
  const load = async (stream: string, p: Pending): Promise<StreamState> => {
    if (!options.sharedLog) return options.writeModel.load(stream, p.definition.aggregate)
    const { entry, foreign } = await options.writeModel.catchUp(stream, p.definition.aggregate)
    if (foreign > 0) markContended(stream)
    return entry
  }
  const queue: Pending[] = []
  let running: Promise<void> | undefined
  let scheduled = false
  let closedWith: StorageError | undefined
  let paused: Promise<unknown> | undefined

  const schedule = () => {
    if (scheduled || running) return
    scheduled = true
    queueMicrotask(start)
  }

  function start() {
    scheduled = false
    if (running || paused || queue.length === 0) return
    running = drain().finally(() => {
      running = undefined
      if (queue.length > 0) schedule()
    })
  }

  async function drain() {
    while (queue.length > 0 && !closedWith) {
      await commit(queue.splice(0, options.maxBatch), true)
    }
  }

  async function commit(batch: Pending[], mayRetrySingly: boolean): Promise<void> {
    // 1. Load every stream the batch touches (cached ones cost nothing; on a shared log, one read
    // of what other processes appended since).
    const loads = new Map<string, Promise<StreamState>>()
    for (const p of batch) if (!loads.has(p.stream)) loads.set(p.stream, load(p.stream, p))
    const loaded = new Map<string, StreamState>()
    for (const [stream, promise] of loads) {
      try {
        loaded.set(stream, await promise)
      } catch (error) {
        for (const p of batch) if (p.stream === stream) p.reject(error)
        batch = batch.filter((p) => p.stream !== stream)
      }
    }

    // 2. Decide each command on the state its predecessors in the batch left. States are applied
    // in place; any stream whose events then fail to commit is dropped and folded again later, or
    // put back as it was when another process writes to it too.
    const copies = new Map<string, StreamState>()
    for (const [stream, entry] of loaded) if (contended.has(stream)) copies.set(stream, copyStreamState(entry))
    const dirty = new Set<string>()
    const broken = new Set<string>()
    const deferred: Pending[] = []
    const appends: AppendCommand[] = []
    const owners: Pending[] = []
    // Refusals decided on cached state: confirmed against the log before they are reported.
    const refusals: { p: Pending; error: unknown }[] = []
    for (const p of batch) {
      if (broken.has(p.stream)) {
        deferred.push(p)
        continue
      }
      const entry = loaded.get(p.stream)!
      let decided: DecidedEvent[]
      try {
        const inputs = p.history
          ? [decideHistory(entry.commands, p.history.kind, p.history.target)]
          : await decideEvents(p.definition, entry.state, p.value, p.context)
        decided = envelopesOf(inputs, {
          aggregate: p.definition.aggregate,
          stream: p.stream,
          version: entry.version,
          history: p.history !== undefined,
          meta: { commandId: p.context.commandId, causationId: p.causationId, correlationId: p.correlationId, at: p.context.at, origin: options.origin },
        })
      } catch (error) {
        if (isChronicleError(error, 'RuleViolation') || isChronicleError(error, 'UndoConflict')) refusals.push({ p, error })
        else p.reject(error)
        continue
      }
      if (decided.length === 0 && !p.idempotent) {
        p.resolve({ commandId: p.context.commandId, position: options.head(), eventCount: 0, duplicate: false })
        continue
      }
      if (p.history) {
        // The stream's state must be folded again without (or with) the target's events: later
        // commands on it wait for the next batch, which folds it afresh.
        broken.add(p.stream)
      } else {
        try {
          applyToAggregate(p.definition.aggregate, entry.state, decided)
        } catch (error) {
          // The state is half-changed: forget it, and decide this stream's later commands afresh.
          broken.add(p.stream)
          options.writeModel.drop(p.stream)
          p.reject(new HandlerError('evolve-threw', `evolve of aggregate ${p.definition.aggregate.name} threw on the events of ${p.definition.type}: ${String(error)}`, { cause: error }))
          continue
        }
        if (decided.length > 0) {
          entry.commands.push({ commandId: p.context.commandId, firstVersion: entry.version + 1, lastVersion: entry.version + decided.length, undone: false })
        }
      }
      appends.push({
        commandId: p.context.commandId,
        stream: p.stream,
        expectedVersion: entry.version,
        idempotent: p.idempotent,
        ...(p.idempotent ? { fingerprint: fingerprintOf(p) } : {}),
        events: decided,
      })
      owners.push(p)
      entry.version += decided.length
      dirty.add(p.stream)
    }
    if (deferred.length > 0) queue.unshift(...deferred)
    if (appends.length > 0) await append(appends, owners, { dirty, copies }, mayRetrySingly)
    if (refusals.length > 0) await confirmRefusals(refusals, loaded)
  }

  /**
   * A rule violation decided on a cached state that another writer (a tab, a server rebase) has
   * since moved on is not the truth: such commands run again on the fresh state.
   */
  async function confirmRefusals(refusals: { p: Pending; error: unknown }[], loaded: Map<string, StreamState>) {
    const retry: Pending[] = []
    for (const { p, error } of refusals) {
      // A repeat of a command that already ran is answered as the duplicate it is, not refused by
      // the rules its own first run changed (an "already exists" check, say).
      const earlier = p.idempotent ? await options.findCommand(p.context.commandId).catch(() => undefined) : undefined
      if (earlier !== undefined) {
        if (fingerprintDiffers(earlier.fingerprint, fingerprintOf(p))) p.reject(idempotencyKeyReused(p.context.commandId))
        else p.resolve({ commandId: p.context.commandId, position: earlier.position, eventCount: 0, duplicate: true })
        continue
      }
      const entry = loaded.get(p.stream)!
      let stale = true
      try {
        stale = options.writeModel.peek(p.stream) !== entry || (await options.streamChanged(p.stream, entry.version))
      } catch {
        stale = false
      }
      if (stale && ++p.attempts < options.maxAttempts) {
        options.writeModel.drop(p.stream)
        retry.push(p)
      } else p.reject(error)
    }
    if (retry.length > 0) {
      queue.unshift(...retry)
      await backOff(retry)
    }
  }

  async function append(appends: AppendCommand[], owners: Pending[], streams: { dirty: Set<string>; copies: Map<string, StreamState> }, mayRetrySingly: boolean) {
    // A stream whose decided events did not all commit: back to its copy, or folded again.
    const unwind = (stream: string) => {
      const copy = streams.copies.get(stream)
      if (copy) options.writeModel.restore(stream, copy)
      else options.writeModel.drop(stream)
      streams.copies.delete(stream)
    }
    // 3. One transaction for the whole batch.
    let outcomes
    try {
      const appending = options.append(appends, owners)
      options.whileAppending?.(appends.flatMap((a) => a.events))
      outcomes = await appending
    } catch (error) {
      for (const stream of streams.dirty) unwind(stream)
      if (mayRetrySingly && owners.length > 1 && !(error instanceof StorageError && error.code === 'closed')) {
        // One command's payload (or size) may have sunk the batch: give each its own transaction,
        // so the failure stays with the command that caused it.
        for (const p of owners) await commit([p], false)
        return
      }
      for (const p of owners) p.reject(error)
      return
    }

    // 4. Settle the cache, hand the events on, then answer each command.
    const committed: EventEnvelope[] = []
    const answers: (() => void)[] = []
    const retry: Pending[] = []
    const unwound = new Set<string>()
    outcomes.forEach((outcome, i) => {
      const p = owners[i]!
      if (outcome.status === 'ok') {
        // After an undo or redo the stream's state is folded again on its next use.
        options.writeModel.committed(p.stream, outcome.events)
        committed.push(...outcome.events)
        const position = outcome.events.at(-1)?.seq ?? options.head()
        answers.push(() => p.resolve({ commandId: p.context.commandId, position, eventCount: outcome.events.length, duplicate: false }))
        return
      }
      // The cached state holds events that were not written.
      if (!unwound.has(p.stream)) unwind(p.stream)
      unwound.add(p.stream)
      // Copies help only where the retry catches up from them (a shared log).
      if (outcome.status === 'conflict' && options.sharedLog) markContended(p.stream)
      if (outcome.status === 'duplicate') {
        answers.push(() => p.resolve({ commandId: p.context.commandId, position: outcome.position, eventCount: 0, duplicate: true }))
      } else if (outcome.status === 'reused') {
        answers.push(() => p.reject(idempotencyKeyReused(p.context.commandId)))
      } else if (++p.attempts >= options.maxAttempts) {
        answers.push(() => p.reject(new ConcurrencyConflict(p.stream, p.attempts)))
      } else {
        retry.push(p)
      }
    })
    if (committed.length > 0) {
      const applied = options.onCommitted(committed)
      if (applied) await applied
    }
    for (const answer of answers) answer()
    if (retry.length > 0) {
      queue.unshift(...retry)
      await backOff(retry)
    }
  }

  /**
   * A command that lost its stream's race twice is up against another writer (a tab, a server
   * process) retrying in step with it: wait a random few milliseconds, growing with each loss,
   * so one of them gets through instead of both losing again.
   */
  async function backOff(retry: Pending[]): Promise<void> {
    const losses = Math.max(...retry.map((p) => p.attempts))
    if (losses < 2) return
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** losses)))
  }

  return {
    submit(command) {
      if (closedWith) return Promise.reject(closedWith)
      return new Promise<Receipt>((resolve, reject) => {
        queue.push({ ...command, attempts: 0, resolve, reject })
        schedule()
      })
    },
    flush() {
      if (scheduled) start()
    },
    async idle() {
      while (running || scheduled) await (running ?? Promise.resolve())
    },
    async exclusive(work) {
      while (paused) await paused.catch(() => undefined)
      while (running || scheduled) await (running ?? Promise.resolve())
      const result = work()
      paused = result
      try {
        return await result
      } finally {
        paused = undefined
        if (queue.length > 0) schedule()
      }
    },
    close(error) {
      closedWith = error
      for (const p of queue.splice(0)) p.reject(error)
    },
  }
}
