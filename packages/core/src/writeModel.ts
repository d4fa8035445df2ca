import type { AnyAggregateDefinition } from './aggregate'
import { streamSnapshotProblem } from './stateShape'
import { StorageError } from './errors'
import type { EventEnvelope } from './event'
import { applyToAggregate, foldAggregate } from './decide'
import type { StreamSnapshot } from './storage/storage'
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
  drop(stream: string): void
  clear(): void
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
  /** A compacted stream's snapshot: the fold starts there. */
  readonly loadSnapshot: (stream: string) => Promise<StreamSnapshot | undefined>
  readonly maxStreams: number
}

/** Creates the write model's cache of stream states (see `WriteModel`). */
export function createWriteModel(options: WriteModelOptions): WriteModel {
  const entries = new Map<string, StreamState>()
  const loading = new Map<string, Promise<StreamState>>()
  // Bumped on drop, so a load that raced with a drop does not put a stale state back.
  const generations = new Map<string, number>()
  /** Streams that saw an undo or redo: their events are kept once read. */
  const undoing = new Set<string>()
  /** The events of such a stream after `base` (its snapshot's version, or 0), matching its cached entry. */
  const kept = new Map<string, { readonly base: number; readonly events: EventEnvelope[] }>()
  /** Cached entries an undo or redo made stale: folded again from `kept` on their next use. */
  const stale = new Set<string>()

  const forget = (stream: string) => {
    entries.delete(stream)
    kept.delete(stream)
    stale.delete(stream)
  }
  const touch = (stream: string, entry: StreamState) => {
    entries.delete(stream)
    entries.set(stream, entry)
    if (entries.size > options.maxStreams) {
      const oldest = entries.keys().next().value
      if (oldest !== undefined) {
        forget(oldest)
        undoing.delete(oldest)
      }
    }
  }

  const snapshotOf = (stream: string, aggregate: AnyAggregateDefinition) => trustedSnapshot(options.loadSnapshot, stream, aggregate)

  /** Folds a stream's events after its snapshot (if any) into a new entry, and caches it unless it was dropped meanwhile. */
  const fold = (stream: string, aggregate: AnyAggregateDefinition, snapshot: StreamSnapshot | undefined, events: EventEnvelope[], generation: number): StreamState => {
    // Undone commands' events do not count: scan for them first, then fold the rest.
    const { commands, effective } = scanStream(events)
    let state: unknown
    if (snapshot) {
      state = snapshot.state
      applyToAggregate(aggregate, state, effective)
    } else state = foldAggregate(aggregate, effective)
    const entry: StreamState = { state, version: events.at(-1)?.version ?? snapshot?.version ?? 0, commands }
    if ((generations.get(stream) ?? 0) === generation) {
      touch(stream, entry)
      stale.delete(stream)
      if (undoing.has(stream)) kept.set(stream, { base: snapshot?.version ?? 0, events })
    }
    return entry
  }

  const read = async (stream: string, aggregate: AnyAggregateDefinition): Promise<StreamState> => {
    const generation = generations.get(stream) ?? 0
    const snapshot = await snapshotOf(stream, aggregate)
    return fold(stream, aggregate, snapshot, await options.readStream(stream, snapshot?.version ?? 0), generation)
  }

  /** After an undo or redo: the same fold as `read`, over the kept events instead of the log's. */
  const refold = async (stream: string, aggregate: AnyAggregateDefinition, from: { readonly base: number; readonly events: EventEnvelope[] }): Promise<StreamState> => {
    const generation = generations.get(stream) ?? 0
    if (from.base === 0) return fold(stream, aggregate, undefined, from.events, generation)
    // The fold changed the snapshot's state in place: a compacted stream reads it again.
    const snapshot = await snapshotOf(stream, aggregate)
    return snapshot?.version === from.base ? fold(stream, aggregate, snapshot, from.events, generation) : read(stream, aggregate)
  }

  const drop = (stream: string) => {
    forget(stream)
    loading.delete(stream)
    generations.set(stream, (generations.get(stream) ?? 0) + 1)
  }

  const model: WriteModel = {
    load(stream, aggregate) {
      const cached = entries.get(stream)
      if (cached && !stale.has(stream)) {
        touch(stream, cached)
        return Promise.resolve(cached)
      }
      // Concurrent loads of one stream share one read.
      let pending = loading.get(stream)
      if (!pending) {
        const events = stale.has(stream) ? kept.get(stream) : undefined
        pending = (events ? refold(stream, aggregate, events) : read(stream, aggregate)).finally(() => loading.delete(stream))
        loading.set(stream, pending)
      }
      return pending
    },
    peek: (stream) => (stale.has(stream) ? undefined : entries.get(stream)),
    committed(stream, events) {
      const history = events.some((e) => isHistoryEvent(e.type))
      if (history) undoing.add(stream)
      const list = kept.get(stream)
      if (list && !keepEvents(list, events)) kept.delete(stream)
      if (!history) return
      if (kept.has(stream) && entries.has(stream)) stale.add(stream)
      else drop(stream)
    },
    catchUp: (stream, aggregate) => catchUpEntry(model, options.readStream, stream, aggregate),
    restore(stream, copy) {
      drop(stream)
      touch(stream, copy)
    },
    drop,
    clear() {
      entries.clear()
      kept.clear()
      stale.clear()
    },
  }
  return model
}

/** A compacted stream's snapshot, checked: a damaged one refuses the stream's commands (its events are gone). */
async function trustedSnapshot(
  load: (stream: string) => Promise<StreamSnapshot | undefined>,
  stream: string,
  aggregate: AnyAggregateDefinition,
): Promise<StreamSnapshot | undefined> {
  const snapshot = await load(stream)
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
function keepEvents(list: { readonly base: number; readonly events: EventEnvelope[] }, events: readonly EventEnvelope[]): boolean {
  for (const event of events) {
    const last = list.events.at(-1)?.version ?? list.base
    if (event.version <= last) continue
    if (event.version !== last + 1) return false
    list.events.push(event)
  }
  return true
}
