import type { AnyAggregateDefinition } from './aggregate'
import { streamSnapshotProblem } from './checkpoints'
import { StorageError } from './errors'
import type { EventEnvelope } from './event'
import { applyToAggregate, foldAggregate } from './execute'
import type { StreamSnapshot } from './storage/storage'
import { scanStream, type StreamCommand } from './history'

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
 */
export interface WriteModel {
  load(stream: string, aggregate: AnyAggregateDefinition): Promise<StreamState>
  /** The cached entry, if any (no load). */
  peek(stream: string): StreamState | undefined
  drop(stream: string): void
  clear(): void
}

export function createWriteModel(options: {
  readStream: (stream: string, afterVersion: number) => Promise<EventEnvelope[]>
  /** A compacted stream's snapshot: the fold starts there. */
  loadSnapshot: (stream: string) => Promise<StreamSnapshot | undefined>
  maxStreams: number
}): WriteModel {
  const entries = new Map<string, StreamState>()
  const loading = new Map<string, Promise<StreamState>>()
  // Bumped on drop, so a load that raced with a drop does not put a stale state back.
  const generations = new Map<string, number>()

  const touch = (stream: string, entry: StreamState) => {
    entries.delete(stream)
    entries.set(stream, entry)
    if (entries.size > options.maxStreams) {
      const oldest = entries.keys().next().value
      if (oldest !== undefined) entries.delete(oldest)
    }
  }

  const read = async (stream: string, aggregate: AnyAggregateDefinition): Promise<StreamState> => {
    const generation = generations.get(stream) ?? 0
    const snapshot = await options.loadSnapshot(stream)
    const damaged = snapshot && streamSnapshotProblem(snapshot, aggregate)
    if (damaged) {
      throw new StorageError('corrupt', `The compaction snapshot of stream "${stream}" cannot be trusted (${damaged}), and the events it replaced are gone: commands on "${stream}" are refused. Other streams work; restore the snapshot from a backup or the sync server.`)
    }
    const events = await options.readStream(stream, snapshot?.version ?? 0)
    // Undone commands' events do not count: scan for them first, then fold the rest.
    const { commands, effective } = scanStream(events)
    let state: unknown
    if (snapshot) {
      state = snapshot.state
      applyToAggregate(aggregate, state, effective)
    } else state = foldAggregate(aggregate, effective)
    const entry: StreamState = { state, version: events.at(-1)?.version ?? snapshot?.version ?? 0, commands }
    if ((generations.get(stream) ?? 0) === generation) touch(stream, entry)
    return entry
  }

  return {
    load(stream, aggregate) {
      const cached = entries.get(stream)
      if (cached) {
        touch(stream, cached)
        return Promise.resolve(cached)
      }
      // Concurrent loads of one stream share one read.
      let pending = loading.get(stream)
      if (!pending) {
        pending = read(stream, aggregate).finally(() => loading.delete(stream))
        loading.set(stream, pending)
      }
      return pending
    },
    peek: (stream) => entries.get(stream),
    drop(stream) {
      entries.delete(stream)
      loading.delete(stream)
      generations.set(stream, (generations.get(stream) ?? 0) + 1)
    },
    clear: () => entries.clear(),
  }
}
