import type { EventEnvelope, Store } from '@chronicle/core'

/** What the timeline filters on; empty strings match everything. */
export interface LogFilter {
  /** Exact event type. */
  readonly type?: string
  /** Part of the stream name. */
  readonly stream?: string
}

/**
 * A compact index of the log for the timeline: per event only its position, type, stream and
 * correlation (interned into typed arrays, a few bytes an event), so filtering and scrolling
 * 100,000 events never holds 100,000 envelopes. The envelopes themselves are read by range when
 * rows scroll into view (see `envelopeCache.ts`).
 *
 * While anyone is subscribed it reads the log in pages in the background, yielding to the browser
 * between pages, and follows `store.position$` for new events; with no subscriber left it stops
 * (and resumes where it was on the next one). Rows are numbered in log order from 0.
 */
export interface LogIndex {
  /** Events indexed so far. */
  readonly size: number
  /** The position of the last indexed event (0 when none). */
  readonly head: number
  /** False while the index is behind the store's position. */
  readonly complete: boolean
  /** Every event type seen, in order of first appearance. */
  readonly types: readonly string[]
  readonly streams: readonly string[]
  /** Increases whenever the index grows (for React's useSyncExternalStore). */
  readonly version: number
  /** A failure reading the log, if any. */
  readonly error: unknown
  seq(row: number): number
  type(row: number): string
  stream(row: number): string
  /** True when the event's command differs from the previous event's (a command's first event). */
  startsCommand(row: number): boolean
  /** The row of the event at `seq`, or of the last event before it; -1 when there is none. */
  rowAtOrBefore(seq: number): number
  /** Rows matching a filter, in log order; undefined when the filter matches everything. */
  select(filter: LogFilter): Uint32Array | undefined
  /** Rows of the events that share this row's correlation id (its causation chain), at most `limit`. */
  chain(row: number, limit?: number): number[]
  /** Listens for growth; the first listener starts the indexing, the last one leaving stops it. */
  subscribe(listener: () => void): () => void
}

/** Typed-array columns that grow by doubling. */
function createColumns(initial = 1024) {
  let capacity = initial
  let seq = new Float64Array(capacity)
  let type = new Uint16Array(capacity)
  let stream = new Uint32Array(capacity)
  let correlation = new Uint32Array(capacity)
  let starts = new Uint8Array(capacity)
  const grow = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(old: T, make: (n: number) => T) => {
    const next = make(capacity)
    next.set(old)
    return next
  }
  return {
    get seq() {
      return seq
    },
    get type() {
      return type
    },
    get stream() {
      return stream
    },
    get correlation() {
      return correlation
    },
    get starts() {
      return starts
    },
    ensure(size: number) {
      if (size <= capacity) return
      while (capacity < size) capacity *= 2
      seq = grow(seq, (n) => new Float64Array(n))
      type = grow(type, (n) => new Uint16Array(n))
      stream = grow(stream, (n) => new Uint32Array(n))
      correlation = grow(correlation, (n) => new Uint32Array(n))
      starts = grow(starts, (n) => new Uint8Array(n))
    },
  }
}

/** Strings stored once, referred to by number. */
function createInterner() {
  const ids = new Map<string, number>()
  const values: string[] = []
  return {
    values,
    id(value: string) {
      let id = ids.get(value)
      if (id === undefined) {
        id = values.length
        values.push(value)
        ids.set(value, id)
      }
      return id
    },
  }
}

/** Lets the browser paint and handle input between two pages of a long scan. */
const yieldToBrowser = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

/**
 * An index of a store's log; it fills while subscribed.
 *
 * @example
 * const index = createLogIndex(store)
 * const stop = index.subscribe(() => render(index.select({ type: 'CardAdded' }))) // row numbers
 */
export function createLogIndex(store: Store, options: { readonly pageSize?: number } = {}): LogIndex {
  const pageSize = options.pageSize ?? 5000
  const columns = createColumns()
  const types = createInterner()
  const streams = createInterner()
  const correlations = createInterner()
  const listeners = new Set<() => void>()
  let size = 0
  let head = 0
  let version = 0
  let error: unknown
  let lastCommand: string | undefined
  let running = false
  let following: { unsubscribe(): void } | undefined

  const emit = () => {
    version++
    for (const listener of listeners) listener()
  }

  const add = (event: EventEnvelope) => {
    columns.ensure(size + 1)
    columns.seq[size] = event.seq
    columns.type[size] = types.id(event.type)
    columns.stream[size] = streams.id(event.stream)
    columns.correlation[size] = correlations.id(event.meta.correlationId)
    columns.starts[size] = event.meta.commandId === lastCommand ? 0 : 1
    lastCommand = event.meta.commandId
    head = event.seq
    size++
  }

  const pump = async () => {
    if (running || !following) return
    running = true
    try {
      // Index only what the read models have applied, so every row has a state (stateAt).
      while (following && head < store.position) {
        const page = await store.log({ after: head, to: store.position, limit: pageSize })
        if (page.length === 0) break
        for (const event of page) add(event)
        emit()
        await yieldToBrowser()
      }
    } catch (cause) {
      error = cause
      emit()
    } finally {
      running = false
    }
    if (following && !error && head < store.position) void pump()
  }

  const rowAtOrBefore = (seq: number) => {
    let low = 0
    let high = size - 1
    let found = -1
    while (low <= high) {
      const mid = (low + high) >>> 1
      if (columns.seq[mid]! <= seq) {
        found = mid
        low = mid + 1
      } else high = mid - 1
    }
    return found
  }

  return {
    get size() {
      return size
    },
    get head() {
      return head
    },
    get complete() {
      return head >= store.position
    },
    types: types.values,
    streams: streams.values,
    get version() {
      return version
    },
    get error() {
      return error
    },
    seq: (row) => columns.seq[row]!,
    type: (row) => types.values[columns.type[row]!]!,
    stream: (row) => streams.values[columns.stream[row]!]!,
    startsCommand: (row) => columns.starts[row] === 1,
    rowAtOrBefore,
    select(filter) {
      const typeId = filter.type ? types.values.indexOf(filter.type) : -1
      const part = filter.stream ?? ''
      if (!filter.type && !part) return undefined
      if (filter.type && typeId < 0) return new Uint32Array(0)
      // One pass over the distinct streams, then one over the rows: no strings per row.
      const streamMatches = new Uint8Array(streams.values.length)
      streams.values.forEach((name, id) => {
        streamMatches[id] = name.includes(part) ? 1 : 0
      })
      const out = new Uint32Array(size)
      let n = 0
      const typeColumn = columns.type
      const streamColumn = columns.stream
      for (let row = 0; row < size; row++) {
        if (typeId >= 0 && typeColumn[row] !== typeId) continue
        if (streamMatches[streamColumn[row]!] === 0) continue
        out[n++] = row
      }
      return out.slice(0, n)
    },
    chain(row, limit = 500) {
      const id = columns.correlation[row]
      const rows: number[] = []
      for (let r = 0; r < size && rows.length < limit; r++) if (columns.correlation[r] === id) rows.push(r)
      return rows
    },
    subscribe(listener) {
      listeners.add(listener)
      if (!following) {
        following = store.position$.subscribe(() => void pump())
        void pump()
      }
      return () => {
        listeners.delete(listener)
        if (listeners.size > 0) return
        following?.unsubscribe()
        following = undefined
      }
    },
  }
}
