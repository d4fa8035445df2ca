import type { AnyAggregateDefinition } from './aggregate'
import type { EventEnvelope } from './event'
import { evolveAggregate, foldAggregate } from './execute'

/** A stream's aggregate state as of `version` (its last event). */
export interface StreamState {
  readonly state: unknown
  readonly version: number
}

/**
 * The write side's cache of aggregate states, one per stream, bounded (least recently used go
 * first). A stream marked stale (a concurrent writer got there first) keeps its state and reads
 * only the events after its version on the next load.
 */
export interface WriteModel {
  load(stream: string, aggregate: AnyAggregateDefinition): Promise<StreamState>
  peek(stream: string): StreamState | undefined
  set(stream: string, entry: StreamState): void
  markStale(stream: string): void
  clear(): void
}

export function createWriteModel(options: {
  readStream: (stream: string, afterVersion: number) => Promise<EventEnvelope[]>
  maxStreams: number
}): WriteModel {
  const entries = new Map<string, StreamState & { stale: boolean }>()
  const loading = new Map<string, Promise<StreamState>>()

  const touch = (stream: string, entry: StreamState & { stale: boolean }) => {
    entries.delete(stream)
    entries.set(stream, entry)
    if (entries.size > options.maxStreams) {
      const oldest = entries.keys().next().value
      if (oldest !== undefined) entries.delete(oldest)
    }
  }

  const read = async (stream: string, aggregate: AnyAggregateDefinition): Promise<StreamState> => {
    const cached = entries.get(stream)
    if (cached && !cached.stale) return cached
    const events = await options.readStream(stream, cached?.version ?? 0)
    const state = cached ? evolveAggregate(aggregate, cached.state, events) : foldAggregate(aggregate, events)
    const entry = { state, version: events.at(-1)?.version ?? cached?.version ?? 0, stale: false }
    touch(stream, entry)
    return entry
  }

  return {
    load(stream, aggregate) {
      const cached = entries.get(stream)
      if (cached && !cached.stale) {
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
    set(stream, entry) {
      touch(stream, { ...entry, stale: false })
    },
    markStale(stream) {
      const cached = entries.get(stream)
      if (cached) cached.stale = true
    },
    clear: () => entries.clear(),
  }
}
