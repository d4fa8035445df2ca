import type { EventEnvelope, Store } from '@chronicle/core'

/**
 * The envelopes the panel shows, read from the log by range when rows come into view and kept in
 * a bounded least-recently-used cache, so scrolling through 100,000 events holds a few thousand.
 */
export interface EnvelopeCache {
  get(seq: number): EventEnvelope | undefined
  /**
   * Reads the envelopes at these positions that are not cached: neighbouring positions are read
   * together, one `store.log` range each. Resolves when they are in the cache.
   */
  ensure(seqs: readonly number[]): Promise<void>
  /** Envelopes at these positions (read first when needed), in the given order. */
  load(seqs: readonly number[]): Promise<EventEnvelope[]>
  /** Increases whenever envelopes arrive (for React's useSyncExternalStore). */
  readonly version: number
  subscribe(listener: () => void): () => void
}

/** Positions closer than this are read in one range, gaps included. */
const mergeGap = 16

export function createEnvelopeCache(store: Store, options: { readonly capacity?: number } = {}): EnvelopeCache {
  const capacity = options.capacity ?? 5000
  const entries = new Map<number, EventEnvelope>()
  const inFlight = new Map<number, Promise<void>>()
  const listeners = new Set<() => void>()
  let version = 0

  const put = (event: EventEnvelope) => {
    entries.delete(event.seq)
    entries.set(event.seq, event)
  }
  const trim = () => {
    // A Map iterates in insertion order, and `get` re-inserts: the first keys are the least used.
    for (const seq of entries.keys()) {
      if (entries.size <= capacity) break
      entries.delete(seq)
    }
  }

  const readRun = (from: number, to: number, wanted: number[]) => {
    const done = store.log({ after: from - 1, to }).then((events) => {
      for (const event of events) put(event)
      trim()
      version++
      for (const listener of listeners) listener()
    })
    const settled = done.finally(() => {
      for (const seq of wanted) if (inFlight.get(seq) === settled) inFlight.delete(seq)
    })
    for (const seq of wanted) inFlight.set(seq, settled)
    return settled
  }

  const ensure = async (seqs: readonly number[]) => {
    const waits = new Set<Promise<void>>()
    const missing: number[] = []
    for (const seq of seqs) {
      const pending = inFlight.get(seq)
      if (pending) waits.add(pending)
      else if (!entries.has(seq)) missing.push(seq)
    }
    missing.sort((a, b) => a - b)
    let start = 0
    for (let i = 1; i <= missing.length; i++) {
      if (i < missing.length && missing[i]! - missing[i - 1]! <= mergeGap) continue
      const run = missing.slice(start, i)
      if (run.length > 0) waits.add(readRun(run[0]!, run.at(-1)!, run))
      start = i
    }
    await Promise.all(waits)
  }

  const get = (seq: number) => {
    const event = entries.get(seq)
    if (event) put(event)
    return event
  }

  return {
    get,
    ensure,
    async load(seqs) {
      await ensure(seqs)
      const events: EventEnvelope[] = []
      for (const seq of seqs) {
        const event = get(seq)
        if (event) events.push(event)
      }
      return events
    },
    get version() {
      return version
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
