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
class Columns {
  #capacity: number
  #seq: Float64Array
  #type: Uint16Array
  #stream: Uint32Array
  #correlation: Uint32Array
  #starts: Uint8Array

  constructor(initial = 1024) {
    this.#capacity = initial
    this.#seq = new Float64Array(initial)
    this.#type = new Uint16Array(initial)
    this.#stream = new Uint32Array(initial)
    this.#correlation = new Uint32Array(initial)
    this.#starts = new Uint8Array(initial)
  }

  /** Each event's position. */
  get seq(): Float64Array {
    return this.#seq
  }

  /** Each event's type, interned. */
  get type(): Uint16Array {
    return this.#type
  }

  /** Each event's stream, interned. */
  get stream(): Uint32Array {
    return this.#stream
  }

  /** Each event's correlation id, interned. */
  get correlation(): Uint32Array {
    return this.#correlation
  }

  /** 1 where an event's command differs from the previous event's. */
  get starts(): Uint8Array {
    return this.#starts
  }

  /** Makes room for `size` rows (doubling the capacity until they fit). */
  ensure(size: number) {
    if (size <= this.#capacity) return
    while (this.#capacity < size) this.#capacity *= 2
    this.#seq = this.#grow(this.#seq, (n) => new Float64Array(n))
    this.#type = this.#grow(this.#type, (n) => new Uint16Array(n))
    this.#stream = this.#grow(this.#stream, (n) => new Uint32Array(n))
    this.#correlation = this.#grow(this.#correlation, (n) => new Uint32Array(n))
    this.#starts = this.#grow(this.#starts, (n) => new Uint8Array(n))
  }

  /** A column of the current capacity holding the old one's values. */
  #grow<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(old: T, make: (n: number) => T): T {
    const next = make(this.#capacity)
    next.set(old)
    return next
  }
}

/** Strings stored once, referred to by number. */
class Interner {
  /** Every string, at the index of its number. */
  readonly values: string[] = []
  readonly #ids = new Map<string, number>()

  /** The number of `value`, given it now when it is new. */
  id(value: string): number {
    let id = this.#ids.get(value)
    if (id === undefined) {
      id = this.values.length
      this.values.push(value)
      this.#ids.set(value, id)
    }
    return id
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
  return new StoreLogIndex(store, options.pageSize ?? 5000)
}

/** The log index of one store: its columns, the background scan that fills them, and the reads over them. */
class StoreLogIndex implements LogIndex {
  readonly #store: Store
  readonly #pageSize: number
  readonly #columns = new Columns()
  readonly #types = new Interner()
  readonly #streams = new Interner()
  readonly #correlations = new Interner()
  readonly #listeners = new Set<() => void>()
  #size = 0
  #head = 0
  #version = 0
  #error: unknown
  #lastCommand: string | undefined
  #running = false
  #following: { unsubscribe(): void } | undefined

  constructor(store: Store, pageSize: number) {
    this.#store = store
    this.#pageSize = pageSize
  }

  get size(): number {
    return this.#size
  }

  get head(): number {
    return this.#head
  }

  get complete(): boolean {
    return this.#head >= this.#store.position
  }

  get types(): readonly string[] {
    return this.#types.values
  }

  get streams(): readonly string[] {
    return this.#streams.values
  }

  get version(): number {
    return this.#version
  }

  get error(): unknown {
    return this.#error
  }

  seq(row: number): number {
    return this.#columns.seq[row]!
  }

  type(row: number): string {
    return this.#types.values[this.#columns.type[row]!]!
  }

  stream(row: number): string {
    return this.#streams.values[this.#columns.stream[row]!]!
  }

  startsCommand(row: number): boolean {
    return this.#columns.starts[row] === 1
  }

  /** A binary search over the positions column. */
  rowAtOrBefore(seq: number): number {
    let low = 0
    let high = this.#size - 1
    let found = -1
    while (low <= high) {
      const mid = (low + high) >>> 1
      if (this.#columns.seq[mid]! <= seq) {
        found = mid
        low = mid + 1
      } else high = mid - 1
    }
    return found
  }

  select(filter: LogFilter): Uint32Array | undefined {
    const typeId = filter.type ? this.#types.values.indexOf(filter.type) : -1
    const part = filter.stream ?? ''
    if (!filter.type && !part) return undefined
    if (filter.type && typeId < 0) return new Uint32Array(0)
    // One pass over the distinct streams, then one over the rows: no strings per row.
    const streamMatches = new Uint8Array(this.#streams.values.length)
    this.#streams.values.forEach((name, id) => {
      streamMatches[id] = name.includes(part) ? 1 : 0
    })
    const out = new Uint32Array(this.#size)
    let n = 0
    const typeColumn = this.#columns.type
    const streamColumn = this.#columns.stream
    for (let row = 0; row < this.#size; row++) {
      if (typeId >= 0 && typeColumn[row] !== typeId) continue
      if (streamMatches[streamColumn[row]!] === 0) continue
      out[n++] = row
    }
    return out.slice(0, n)
  }

  chain(row: number, limit = 500): number[] {
    const id = this.#columns.correlation[row]
    const rows: number[] = []
    for (let r = 0; r < this.#size && rows.length < limit; r++) if (this.#columns.correlation[r] === id) rows.push(r)
    return rows
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener)
    if (!this.#following) {
      this.#following = this.#store.position$.subscribe(() => void this.#pump())
      void this.#pump()
    }
    return () => {
      this.#listeners.delete(listener)
      if (this.#listeners.size > 0) return
      this.#following?.unsubscribe()
      this.#following = undefined
    }
  }

  /** A new version for the listeners. */
  #emit() {
    this.#version++
    for (const listener of this.#listeners) listener()
  }

  /** Appends one event's row. */
  #add(event: EventEnvelope) {
    const size = this.#size
    this.#columns.ensure(size + 1)
    this.#columns.seq[size] = event.seq
    this.#columns.type[size] = this.#types.id(event.type)
    this.#columns.stream[size] = this.#streams.id(event.stream)
    this.#columns.correlation[size] = this.#correlations.id(event.meta.correlationId)
    this.#columns.starts[size] = event.meta.commandId === this.#lastCommand ? 0 : 1
    this.#lastCommand = event.meta.commandId
    this.#head = event.seq
    this.#size++
  }

  /**
   * Reads the log from the head up to the store's position, a page at a time, yielding to the
   * browser between pages; one scan at a time, and only while followed.
   */
  async #pump() {
    if (this.#running || !this.#following) return
    this.#running = true
    try {
      // Index only what the read models have applied, so every row has a state (stateAt).
      while (this.#following && this.#head < this.#store.position) {
        const page = await this.#store.log({ after: this.#head, to: this.#store.position, limit: this.#pageSize })
        if (page.length === 0) break
        for (const event of page) this.#add(event)
        this.#emit()
        await yieldToBrowser()
      }
    } catch (cause) {
      this.#error = cause
      this.#emit()
    } finally {
      this.#running = false
    }
    if (this.#following && !this.#error && this.#head < this.#store.position) void this.#pump()
  }
}
