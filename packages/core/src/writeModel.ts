import type { AnyAggregateDefinition } from './aggregate'
import { streamSnapshotProblem } from './stateShape'
import { StorageError } from './errors'
import type { EventEnvelope } from './event'
import { applyToAggregate, foldAggregate } from './decide'
import { aggregateFingerprint } from './fingerprint'
import type { SavedStreamState, StreamRead, StreamSnapshot } from './storage/storage'
import { StreamDirectory } from './streamDirectory'
import { isHistoryEvent, scanStream, type StreamCommand } from './undoEvents'

/** A stream's aggregate state as of `version` (its last event). The state is private and mutable. */
export interface StreamState {
  readonly state: unknown
  version: number
  /** The commands that wrote to the stream, in order, with their undo state (for undo checks). */
  readonly commands: StreamCommand[]
}

/**
 * The write side's cache of aggregate states, one per stream, bounded (least recently used go
 * first). States are mutated in place as commands commit; a stream whose in-memory state may no
 * longer match the log (a lost race, a failed transaction) is dropped and folded again from the
 * log on its next use.
 *
 * An undo or redo cannot be applied in place: the stream is folded again without (or with) the
 * command's events. For a stream that saw one, the cache keeps the stream's events from then on,
 * so the next fold reads them from memory instead of the whole stream from the log (which costs
 * the next command a read of the stream and, repeated, the garbage collections that follow).
 */
export interface WriteModel {
  load(stream: string, aggregate: AnyAggregateDefinition): Promise<StreamState>
  /**
   * Several streams at once, as `load` gives each: cached ones as they are, new ones (the directory
   * knows the log does not hold them) as the aggregate's initial state without a read, and all the
   * others in one read of the log. Which are new is known once the directory is loaded, just after
   * the store opened: until then this waits for it.
   */
  loadAll(wanted: Iterable<readonly [string, AnyAggregateDefinition]>): Promise<Map<string, Promise<StreamState>>>
  /** The cached entry, if any and still valid (no load). */
  peek(stream: string): StreamState | undefined
  /**
   * A command's events on `stream` were committed (its state already has them). After an undo or
   * redo the stream is folded again on its next use.
   */
  committed(stream: string, events: readonly EventEnvelope[]): void
  /**
   * The stream's state brought up to date with the log: what `load` gives, plus the events other
   * writers (another server process) appended after its version, applied in place; `foreign` is
   * how many there were. An undo or redo among them, or a gap, folds the stream again instead.
   */
  catchUp(stream: string, aggregate: AnyAggregateDefinition): Promise<{ entry: StreamState; foreign: number }>
  /** Puts back a state copied (`copyStreamState`) before a batch decided on it, when the batch did not commit whole. */
  restore(stream: string, copy: StreamState): void
  /** Forgets a stream's state (it may not match the log): it is read again on its next use. */
  drop(stream: string): void
  clear(): void
  /** Which streams the log holds: read once when the log opens, told of every stream written since. */
  readonly directory: StreamDirectory
  /**
   * Copies of the cached states, least recently used first, to save: only while no batch is
   * deciding or committing (the caller holds the dispatcher), so each is a committed state.
   */
  saved(): SavedStreamState[]
  /**
   * Takes back states a store saved (a cold start), of the aggregates in `aggregates` folded by
   * the same code (`aggregateFingerprint`); streams cached or being read keep theirs. Returns the
   * streams taken back.
   */
  takeBack(states: readonly SavedStreamState[], aggregates: ReadonlyMap<string, AnyAggregateDefinition>): Set<string>
}

/** A private deep copy of a stream state, to put back with `restore` if a batch loses its race. */
export function copyStreamState(entry: StreamState): StreamState {
  return { state: structuredClone(entry.state), version: entry.version, commands: entry.commands.map((c) => ({ ...c })) }
}

/** `WriteModel.catchUp`: applies a cached entry's newer events in place, or folds the stream again. */
async function catchUpEntry(
  model: WriteModel,
  readStream: (stream: string, afterVersion: number) => Promise<EventEnvelope[]>,
  stream: string,
  aggregate: AnyAggregateDefinition,
): Promise<{ entry: StreamState; foreign: number }> {
  const entry = await model.load(stream, aggregate)
  const newer = await readStream(stream, entry.version)
  if (newer.length === 0) return { entry, foreign: 0 }
  const current = model.peek(stream) === entry
  const inPlace = current && newer[0]!.version === entry.version + 1 && !newer.some((e) => isHistoryEvent(e.type))
  if (inPlace) {
    try {
      applyToAggregate(aggregate, entry.state, newer)
      entry.commands.push(...scanStream(newer).commands)
      entry.version = newer.at(-1)!.version
      model.committed(stream, newer)
      return { entry, foreign: newer.length }
    } catch {
      // Half applied: fold the stream again below.
    }
  }
  model.drop(stream)
  return { entry: await model.load(stream, aggregate), foreign: newer.length }
}

/** Where the write model reads streams from, and how many it keeps. */
export interface WriteModelOptions {
  readonly readStream: (stream: string, afterVersion: number) => Promise<EventEnvelope[]>
  /** Several streams in one read, each one's snapshot and events after it (one stream when that is all there is to read). */
  readonly readStreams: (streams: readonly string[]) => Promise<ReadonlyMap<string, StreamRead>>
  /** A compacted stream's snapshot: the fold starts there. */
  readonly loadSnapshot: (stream: string) => Promise<StreamSnapshot | undefined>
  readonly maxStreams: number
}

/** Streams of more events than this are not among the saved states. */
const savedStreamLength = 100

const fingerprints = new WeakMap<AnyAggregateDefinition, string>()
/** `aggregateFingerprint`, once per aggregate. */
function fingerprintOf(aggregate: AnyAggregateDefinition): string {
  let fingerprint = fingerprints.get(aggregate)
  if (fingerprint === undefined) fingerprints.set(aggregate, (fingerprint = aggregateFingerprint(aggregate)))
  return fingerprint
}

/** Creates the write model's cache of stream states (see `WriteModel`). */
export function createWriteModel(options: WriteModelOptions): WriteModel {
  return new StreamStates(options)
}

/** The events of a stream that saw an undo or redo after `base` (its snapshot's version, or 0), matching its cached entry. */
interface KeptEvents {
  readonly base: number
  readonly events: EventEnvelope[]
}

/** The write model: a bounded cache of stream states, least recently used first out (see `WriteModel`). */
class StreamStates implements WriteModel {
  readonly directory = new StreamDirectory()
  readonly #entries = new Map<string, StreamState>()
  readonly #loading = new Map<string, Promise<StreamState>>()
  /** Bumped on drop, so a load that raced with a drop does not put a stale state back. */
  readonly #generations = new Map<string, number>()
  /** Streams that saw an undo or redo: their events are kept once read. */
  readonly #undoing = new Set<string>()
  readonly #kept = new Map<string, KeptEvents>()
  /** Cached entries an undo or redo made stale: folded again from `#kept` on their next use. */
  readonly #stale = new Set<string>()
  /** The aggregate each entry folds (to save it under its fingerprint). */
  readonly #aggregateOf = new WeakMap<StreamState, AnyAggregateDefinition>()

  constructor(private readonly options: WriteModelOptions) {}

  load(stream: string, aggregate: AnyAggregateDefinition): Promise<StreamState> {
    const cached = this.#entries.get(stream)
    if (cached && !this.#stale.has(stream)) {
      this.#touch(stream, cached)
      return Promise.resolve(cached)
    }
    // Concurrent loads of one stream share one read.
    let pending = this.#loading.get(stream)
    if (!pending) {
      const events = this.#stale.has(stream) ? this.#kept.get(stream) : undefined
      pending = (events ? this.#refold(stream, aggregate, events) : this.#readAll([[stream, aggregate]]).get(stream)!).finally(() => this.#loading.delete(stream))
      this.#loading.set(stream, pending)
    }
    return pending
  }

  async loadAll(wanted: Iterable<readonly [string, AnyAggregateDefinition]>): Promise<Map<string, Promise<StreamState>>> {
    if (this.directory.loading) await this.directory.loading
    const loads = new Map<string, Promise<StreamState>>()
    const unread = new Map<string, AnyAggregateDefinition>()
    for (const [stream, aggregate] of wanted) {
      if (loads.has(stream) || unread.has(stream)) continue
      const known = this.#entries.has(stream) || this.#stale.has(stream) || this.#loading.has(stream)
      if (known) loads.set(stream, this.load(stream, aggregate))
      else if (this.directory.isNew(stream)) loads.set(stream, Promise.resolve(this.#fold(stream, aggregate, undefined, [], this.#generation(stream))))
      else unread.set(stream, aggregate)
    }
    if (unread.size > 0) for (const [stream, pending] of this.#readAll([...unread])) loads.set(stream, pending)
    return loads
  }

  peek(stream: string): StreamState | undefined {
    return this.#stale.has(stream) ? undefined : this.#entries.get(stream)
  }

  committed(stream: string, events: readonly EventEnvelope[]): void {
    this.directory.add(stream)
    const history = events.some((e) => isHistoryEvent(e.type))
    if (history) this.#undoing.add(stream)
    const list = this.#kept.get(stream)
    if (list && !keepEvents(list, events)) this.#kept.delete(stream)
    if (!history) return
    if (this.#kept.has(stream) && this.#entries.has(stream)) this.#stale.add(stream)
    else this.drop(stream)
  }

  catchUp(stream: string, aggregate: AnyAggregateDefinition): Promise<{ entry: StreamState; foreign: number }> {
    return catchUpEntry(this, this.options.readStream, stream, aggregate)
  }

  restore(stream: string, copy: StreamState): void {
    this.drop(stream)
    this.#touch(stream, copy)
  }

  drop(stream: string): void {
    // A state that did not match the log may have been decided as new: the stream exists now.
    this.directory.add(stream)
    this.#forget(stream)
    this.#loading.delete(stream)
    this.#generations.set(stream, this.#generation(stream) + 1)
  }

  clear(): void {
    this.#entries.clear()
    this.#kept.clear()
    this.#stale.clear()
    // Dropped because the log may hold what this store did not hear of (a compaction, time away).
    void this.directory.reload()
  }

  saved(): SavedStreamState[] {
    const saved: SavedStreamState[] = []
    for (const [stream, entry] of this.#entries) {
      const aggregate = this.#aggregateOf.get(entry)
      // A long stream's state is large to save and load, and its one read on first use is cheap
      // next to its size: only short streams (an entity each) are saved.
      if (!aggregate || this.#stale.has(stream) || entry.version > savedStreamLength) continue
      try {
        // A copy now: the states change in place with the next batch.
        saved.push(structuredClone({ stream, aggregate: aggregate.name, fingerprint: fingerprintOf(aggregate), version: entry.version, state: entry.state, commands: entry.commands }))
      } catch {
        // A state that cannot be stored (a function in it): that stream is read again after a reload.
      }
    }
    return saved
  }

  takeBack(states: readonly SavedStreamState[], aggregates: ReadonlyMap<string, AnyAggregateDefinition>): Set<string> {
    const taken = new Set<string>()
    for (const saved of states) {
      // A cache: a record that does not look right (damaged, another build's) is only not used.
      const aggregate = typeof saved?.aggregate === 'string' ? aggregates.get(saved.aggregate) : undefined
      if (!aggregate || saved.fingerprint !== fingerprintOf(aggregate) || !Array.isArray(saved.commands) || streamSnapshotProblem(saved, aggregate)) continue
      const { stream } = saved
      if (typeof stream !== 'string' || this.#entries.has(stream) || this.#loading.has(stream)) continue
      const entry: StreamState = { state: saved.state, version: saved.version, commands: saved.commands.map((c) => ({ ...c })) }
      this.#aggregateOf.set(entry, aggregate)
      this.#touch(stream, entry)
      taken.add(stream)
    }
    return taken
  }

  #generation(stream: string): number {
    return this.#generations.get(stream) ?? 0
  }

  #forget(stream: string): void {
    this.#entries.delete(stream)
    this.#kept.delete(stream)
    this.#stale.delete(stream)
  }

  #touch(stream: string, entry: StreamState): void {
    this.#entries.delete(stream)
    this.#entries.set(stream, entry)
    if (this.#entries.size > this.options.maxStreams) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) {
        this.#forget(oldest)
        this.#undoing.delete(oldest)
      }
    }
  }

  /** Folds a stream's events after its snapshot (if any) into a new entry, and caches it unless it was dropped meanwhile. */
  #fold(stream: string, aggregate: AnyAggregateDefinition, snapshot: StreamSnapshot | undefined, events: EventEnvelope[], generation: number): StreamState {
    // Undone commands' events do not count: scan for them first, then fold the rest.
    const { commands, effective } = scanStream(events)
    let state: unknown
    if (snapshot) {
      state = snapshot.state
      applyToAggregate(aggregate, state, effective)
    } else state = foldAggregate(aggregate, effective)
    const entry: StreamState = { state, version: events.at(-1)?.version ?? snapshot?.version ?? 0, commands }
    this.#aggregateOf.set(entry, aggregate)
    if (this.#generation(stream) === generation) {
      this.#touch(stream, entry)
      this.#stale.delete(stream)
      if (this.#undoing.has(stream)) this.#kept.set(stream, { base: snapshot?.version ?? 0, events })
    }
    return entry
  }

  /** Reads `wanted` streams in one read of the log (snapshot and events each); each is folded and cached. */
  #readAll(wanted: readonly (readonly [string, AnyAggregateDefinition])[]): Map<string, Promise<StreamState>> {
    const reads = this.options.readStreams(wanted.map(([stream]) => stream))
    const loads = new Map<string, Promise<StreamState>>()
    for (const [stream, aggregate] of wanted) {
      const generation = this.#generation(stream)
      const pending = reads
        .then((found) => {
          const { snapshot, events } = found.get(stream) ?? { snapshot: undefined, events: [] }
          return this.#fold(stream, aggregate, checkedSnapshot(snapshot, stream, aggregate), events, generation)
        })
        .finally(() => {
          if (this.#loading.get(stream) === pending) this.#loading.delete(stream)
        })
      this.#loading.set(stream, pending)
      loads.set(stream, pending)
    }
    return loads
  }

  /** After an undo or redo: the same fold as a read, over the kept events instead of the log's. */
  async #refold(stream: string, aggregate: AnyAggregateDefinition, from: KeptEvents): Promise<StreamState> {
    const generation = this.#generation(stream)
    if (from.base === 0) return this.#fold(stream, aggregate, undefined, from.events, generation)
    // The fold changed the snapshot's state in place: a compacted stream reads it again.
    const snapshot = checkedSnapshot(await this.options.loadSnapshot(stream), stream, aggregate)
    return snapshot?.version === from.base ? this.#fold(stream, aggregate, snapshot, from.events, generation) : this.#readAll([[stream, aggregate]]).get(stream)!
  }
}

/** A stream's snapshot as read, unless it is damaged: then commands on the stream are refused (its events are gone). */
function checkedSnapshot(snapshot: StreamSnapshot | undefined, stream: string, aggregate: AnyAggregateDefinition): StreamSnapshot | undefined {
  const damaged = snapshot && streamSnapshotProblem(snapshot, aggregate)
  if (damaged) {
    throw new StorageError('corrupt', `The compaction snapshot of stream "${stream}" cannot be trusted (${damaged}), and the events it replaced are gone: commands on "${stream}" are refused. Other streams work; restore the snapshot from a backup or the sync server.`)
  }
  return snapshot
}

/**
 * Adds a stream's newly committed events to the events kept for it. False when they do not follow
 * on: versions are gapless, so a gap means events the cache never saw (the log is read next time).
 */
function keepEvents(list: KeptEvents, events: readonly EventEnvelope[]): boolean {
  for (const event of events) {
    const last = list.events.at(-1)?.version ?? list.base
    if (event.version <= last) continue
    if (event.version !== last + 1) return false
    list.events.push(event)
  }
  return true
}
