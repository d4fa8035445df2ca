import type { AnyCommandDefinition, CommandContext } from './command'
import { ConcurrencyConflict, HandlerError, idempotencyKeyReused, isChronicleError, StorageError } from './errors'
import type { EventEnvelope } from './event'
import { applyToAggregate, decide, type DecidedEvent } from './decide'
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

/**
 * Where the dispatcher commits: the local event log (`localLog.ts`), or with sync on the outbox
 * (`sync/outbox.ts`). The dispatcher decides and answers; the target stores and publishes.
 */
export interface CommitTarget {
  /** Appends one batch in one transaction; `commands[i]` made `batch[i]`. */
  append(batch: readonly AppendCommand[], commands: readonly AdmittedCommand[]): Promise<AppendOutcome[]>
  /** The batch's transaction started: work to overlap with the commit (its events, in order). */
  appending(events: readonly DecidedEvent[]): void
  /** The events shown ahead (`appending`) will not commit as they were: take them back; `error` is why (undefined: tried again). */
  notCommitted(error: unknown): void
  /** A batch's committed events in log order, before any receipt resolves. */
  committed(events: EventEnvelope[]): void | Promise<void>
  /** True when the log holds events of `stream` beyond `version` (the cached state is stale). */
  streamChanged(stream: string, version: number): Promise<boolean>
  /** Where a command ended and what it asked for, when the log recorded it (idempotent repeats). */
  findCommand(commandId: string): Promise<FoundCommand | undefined>
}

/** What the dispatcher works with besides its commit target. */
export interface DispatcherOptions {
  readonly writeModel: WriteModel
  readonly origin: string
  /** The last log position this store knows of; the receipt of a command that writes nothing. */
  readonly head: () => number
  /** Commands per group commit at most. */
  readonly maxBatch: number
  /** How often a command runs again after losing a race for its stream. */
  readonly maxAttempts: number
  /**
   * Other processes append to the log too (a sync server on PostgreSQL): each batch first catches
   * its cached streams up with the log, and a stream others write to is copied before the batch
   * decides on it, so a lost race puts the copy back instead of folding the stream again.
   */
  readonly sharedLog?: boolean
}

/** What an admitted command asks for, as stored beside its id (see `commandFingerprint`). */
const fingerprintOf = (p: AdmittedCommand) => commandFingerprint(p.definition.type, p.payload, p.history)

/** The streams a batch decided on: those it changed, and copies of contended ones to put back. */
interface BatchStreams {
  readonly dirty: ReadonlySet<string>
  readonly copies: Map<string, StreamState>
}

/** A command decided in a batch: its events, and the stream version it was decided on. */
interface Decided {
  readonly p: Pending
  readonly events: DecidedEvent[]
  readonly expectedVersion: number
}

/**
 * The write path's queue. Commands admitted in one burst are decided one after another (each on
 * the state its predecessors left) and appended in one transaction: group commit. While a
 * transaction is in flight, newly admitted commands gather for the next one.
 */
export class Dispatcher {
  readonly #queue: Pending[] = []
  #running: Promise<void> | undefined
  #scheduled = false
  #closedWith: StorageError | undefined
  #paused: Promise<unknown> | undefined
  /** Streams another process was seen writing to (bounded: forgotten all at once past 10,000). */
  readonly #contended = new Set<string>()

  constructor(
    private readonly target: CommitTarget,
    private readonly options: DispatcherOptions,
  ) {}

  /** Queues an admitted command for the next group commit; resolves with its receipt. */
  submit(command: AdmittedCommand): Promise<Receipt> {
    if (this.#closedWith) return Promise.reject(this.#closedWith)
    return new Promise<Receipt>((resolve, reject) => {
      this.#queue.push({ ...command, attempts: 0, resolve, reject })
      this.#schedule()
    })
  }

  /** Starts a commit of whatever is queued now, instead of at the end of the current task. */
  flush(): void {
    if (this.#scheduled) this.#start()
  }

  /** Resolves once nothing is queued or in flight. */
  async idle(): Promise<void> {
    while (this.#running || this.#scheduled) await (this.#running ?? Promise.resolve())
  }

  /** Runs `work` while no batch is in flight, holding new batches back until it is done. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.#paused) await this.#paused.catch(() => undefined)
    await this.idle()
    const result = work()
    this.#paused = result
    try {
      return await result
    } finally {
      this.#paused = undefined
      if (this.#queue.length > 0) this.#schedule()
    }
  }

  /** Rejects every queued command with `error` and accepts no more. */
  close(error: StorageError): void {
    this.#closedWith = error
    for (const p of this.#queue.splice(0)) p.reject(error)
  }

  #schedule() {
    if (this.#scheduled || this.#running) return
    this.#scheduled = true
    queueMicrotask(() => this.#start())
  }

  #start() {
    this.#scheduled = false
    if (this.#running || this.#paused || this.#queue.length === 0) return
    this.#running = this.#drain().finally(() => {
      this.#running = undefined
      if (this.#queue.length > 0) this.#schedule()
    })
  }

  async #drain() {
    while (this.#queue.length > 0 && !this.#closedWith) {
      await this.#commit(this.#queue.splice(0, this.options.maxBatch), true)
    }
  }

  #markContended(stream: string): void {
    if (this.#contended.size >= 10_000) this.#contended.clear()
    this.#contended.add(stream)
  }

  async #commit(batch: Pending[], mayRetrySingly: boolean): Promise<void> {
    const loaded = await this.#load(batch)
    batch = batch.filter((p) => loaded.has(p.stream))
    // States are applied in place while the batch is decided: a contended stream is copied first,
    // so a lost race puts it back instead of folding it again.
    const copies = new Map<string, StreamState>()
    for (const [stream, entry] of loaded) if (this.#contended.has(stream)) copies.set(stream, copyStreamState(entry))
    const { decided, dirty, refusals } = await this.#decideBatch(batch, loaded)
    if (decided.length > 0) await this.#append(decided, { dirty, copies }, mayRetrySingly)
    if (refusals.length > 0) await this.#confirmRefusals(refusals, loaded)
  }

  /** Each stream's state on a shared log: caught up with what other processes appended. */
  #catchUpAll(batch: readonly Pending[]): Map<string, Promise<StreamState>> {
    const loads = new Map<string, Promise<StreamState>>()
    for (const p of batch) {
      if (loads.has(p.stream)) continue
      const caughtUp = this.options.writeModel.catchUp(p.stream, p.definition.aggregate)
      loads.set(p.stream, caughtUp.then(({ entry, foreign }) => {
        if (foreign > 0) this.#markContended(p.stream)
        return entry
      }))
    }
    return loads
  }

  /**
   * 1. Loads every stream the batch touches: cached and new ones cost nothing, the others one read
   * for all (on a shared log, each stream is caught up with what other processes appended since);
   * a stream that fails to load fails its commands.
   */
  async #load(batch: readonly Pending[]): Promise<Map<string, StreamState>> {
    const loads = this.options.sharedLog ? this.#catchUpAll(batch) : await this.options.writeModel.loadAll(batch.map((p) => [p.stream, p.definition.aggregate] as const))
    const loaded = new Map<string, StreamState>()
    for (const [stream, promise] of loads) {
      try {
        loaded.set(stream, await promise)
      } catch (error) {
        for (const p of batch) if (p.stream === stream) p.reject(error)
      }
    }
    return loaded
  }

  /**
   * 2. Decides each command on the state its predecessors in the batch left. States are applied
   * in place; any stream whose events then fail to commit is dropped and folded again later.
   */
  async #decideBatch(batch: readonly Pending[], loaded: ReadonlyMap<string, StreamState>) {
    const { writeModel, origin } = this.options
    const dirty = new Set<string>()
    const broken = new Set<string>()
    const deferred: Pending[] = []
    const decided: Decided[] = []
    // Refusals decided on cached state: confirmed against the log before they are reported.
    const refusals: { p: Pending; error: unknown }[] = []
    for (const p of batch) {
      if (broken.has(p.stream)) {
        deferred.push(p)
        continue
      }
      const entry = loaded.get(p.stream)!
      let events: DecidedEvent[]
      try {
        const meta = { commandId: p.context.commandId, causationId: p.causationId, correlationId: p.correlationId, at: p.context.at, origin }
        events = await decide({ definition: p.definition, stream: p.stream, value: p.value, context: p.context, meta, history: p.history }, entry)
      } catch (error) {
        if (isChronicleError(error, 'RuleViolation') || isChronicleError(error, 'UndoConflict')) refusals.push({ p, error })
        else p.reject(error)
        continue
      }
      if (events.length === 0 && !p.idempotent) {
        p.resolve({ commandId: p.context.commandId, position: this.options.head(), eventCount: 0, duplicate: false })
        continue
      }
      if (p.history) {
        // The stream's state must be folded again without (or with) the target's events: later
        // commands on it wait for the next batch, which folds it afresh.
        broken.add(p.stream)
      } else {
        try {
          applyToAggregate(p.definition.aggregate, entry.state, events)
        } catch (error) {
          // The state is half-changed: forget it, and decide this stream's later commands afresh.
          broken.add(p.stream)
          writeModel.drop(p.stream)
          p.reject(new HandlerError('evolve-threw', `evolve of aggregate ${p.definition.aggregate.name} threw on the events of ${p.definition.type}: ${String(error)}`, { cause: error }))
          continue
        }
        if (events.length > 0) {
          entry.commands.push({ commandId: p.context.commandId, firstVersion: entry.version + 1, lastVersion: entry.version + events.length, undone: false })
        }
      }
      decided.push({ p, events, expectedVersion: entry.version })
      entry.version += events.length
      dirty.add(p.stream)
    }
    if (deferred.length > 0) this.#queue.unshift(...deferred)
    return { decided, dirty, refusals }
  }

  /**
   * A rule violation decided on a cached state that another writer (a tab, a server rebase) has
   * since moved on is not the truth: such commands run again on the fresh state.
   */
  async #confirmRefusals(refusals: { p: Pending; error: unknown }[], loaded: Map<string, StreamState>) {
    const { writeModel, maxAttempts } = this.options
    const retry: Pending[] = []
    for (const { p, error } of refusals) {
      // A repeat of a command that already ran is answered as the duplicate it is, not refused by
      // the rules its own first run changed (an "already exists" check, say).
      const earlier = p.idempotent ? await this.target.findCommand(p.context.commandId).catch(() => undefined) : undefined
      if (earlier !== undefined) {
        if (fingerprintDiffers(earlier.fingerprint, fingerprintOf(p))) p.reject(idempotencyKeyReused(p.context.commandId))
        else p.resolve({ commandId: p.context.commandId, position: earlier.position, eventCount: 0, duplicate: true })
        continue
      }
      const entry = loaded.get(p.stream)!
      let stale = true
      try {
        stale = writeModel.peek(p.stream) !== entry || (await this.target.streamChanged(p.stream, entry.version))
      } catch {
        stale = false
      }
      if (stale && ++p.attempts < maxAttempts) {
        writeModel.drop(p.stream)
        retry.push(p)
      } else p.reject(error)
    }
    await this.#retry(retry)
  }

  /** 3. One transaction for the whole batch; 4. settles the cache, hands the events on, then answers each command. */
  async #append(decided: readonly Decided[], streams: BatchStreams, mayRetrySingly: boolean) {
    const { writeModel, maxAttempts, sharedLog } = this.options
    const owners = decided.map((d) => d.p)
    const appends: AppendCommand[] = decided.map(({ p, events, expectedVersion }) => ({
      commandId: p.context.commandId,
      stream: p.stream,
      expectedVersion,
      idempotent: p.idempotent,
      ...(p.idempotent ? { fingerprint: fingerprintOf(p) } : {}),
      events,
    }))
    // A stream whose decided events did not all commit: back to its copy, or folded again.
    const unwind = (stream: string) => {
      const copy = streams.copies.get(stream)
      if (copy) writeModel.restore(stream, copy)
      else writeModel.drop(stream)
      streams.copies.delete(stream)
    }
    let outcomes
    try {
      this.target.appending(appends.flatMap((a) => a.events)) // shown first: views rendering in a microtask go before the requests are built
      outcomes = await Promise.resolve().then(() => this.target.append(appends, owners))
    } catch (error) {
      for (const stream of streams.dirty) unwind(stream)
      const single = mayRetrySingly && owners.length > 1 && !(error instanceof StorageError && error.code === 'closed')
      this.target.notCommitted(single ? undefined : error) // before any rejection: one render shows both
      if (single) {
        // One command's payload (or size) may have sunk the batch: give each its own transaction,
        // so the failure stays with the command that caused it.
        for (const p of owners) await this.#commit([p], false)
        return
      }
      for (const p of owners) p.reject(error)
      return
    }

    const committed: EventEnvelope[] = []
    const answers: (() => void)[] = []
    const retry: Pending[] = []
    const unwound = new Set<string>()
    outcomes.forEach((outcome, i) => {
      const p = owners[i]!
      if (outcome.status === 'ok') {
        // After an undo or redo the stream's state is folded again on its next use.
        writeModel.committed(p.stream, outcome.events)
        committed.push(...outcome.events)
        const position = outcome.events.at(-1)?.seq ?? this.options.head()
        answers.push(() => p.resolve({ commandId: p.context.commandId, position, eventCount: outcome.events.length, duplicate: false }))
        return
      }
      // The cached state holds events that were not written.
      if (!unwound.has(p.stream)) unwind(p.stream)
      unwound.add(p.stream)
      // Copies help only where the retry catches up from them (a shared log).
      if (outcome.status === 'conflict' && sharedLog) this.#markContended(p.stream)
      if (outcome.status === 'duplicate') {
        answers.push(() => p.resolve({ commandId: p.context.commandId, position: outcome.position, eventCount: 0, duplicate: true }))
      } else if (outcome.status === 'reused') {
        answers.push(() => p.reject(idempotencyKeyReused(p.context.commandId)))
      } else if (++p.attempts >= maxAttempts) {
        answers.push(() => p.reject(new ConcurrencyConflict(p.stream, p.attempts)))
      } else {
        retry.push(p)
      }
    })
    if (committed.length > 0) {
      const applied = this.target.committed(committed)
      if (applied) await applied
    } else this.target.notCommitted(undefined)
    for (const answer of answers) answer()
    await this.#retry(retry)
  }

  /**
   * Puts commands that lost a race back at the front of the queue. One that lost its stream's
   * race twice is up against another writer (a tab, a server process) retrying in step with it:
   * wait a random few milliseconds, growing with each loss, so one of them gets through instead
   * of both losing again.
   */
  async #retry(retry: Pending[]): Promise<void> {
    if (retry.length === 0) return
    this.#queue.unshift(...retry)
    const losses = Math.max(...retry.map((p) => p.attempts))
    if (losses < 2) return
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** losses)))
  }
}
