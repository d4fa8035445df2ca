/**
 * Large read-model states saved in parts. IndexedDB clones a record on the page's thread inside
 * `put()`, so one record holding a read model of 80,000 cards is one task of ~100 ms: an input
 * that arrives meanwhile waits for it. Split into parts of at most `partEntries` entries, each
 * part is written in a transaction of its own (a task of a few ms each), and a header record
 * names the parts once all of them are stored.
 *
 * Only the large collections are split: the state itself when it is a Map, Set, array or plain
 * object of more than `partEntries` entries, and otherwise each such collection among the fields
 * of a plain-object state (one level down, where read models keep their indexes). Everything
 * else travels whole, in one part.
 */

/** How a state was split: which parts hold what, and how to put them back together. */
export type PartLayout =
  /** The value itself is part `part`. */
  | { readonly kind: 'whole'; readonly part: number }
  /** A Set or array whose entries are spread over `parts`, in order (each part a list of entries). */
  | { readonly kind: 'set' | 'array'; readonly parts: readonly number[] }
  /** A Map or plain object whose entries are spread over `parts`, in order (each part `[keys, values]`). */
  | { readonly kind: 'map' | 'record'; readonly parts: readonly number[] }
  /** A plain object: its `split` fields laid out on their own, the others together in part `rest` (which holds null in their place). */
  | { readonly kind: 'fields'; readonly split: Readonly<Record<string, PartLayout>>; readonly rest: number }

/**
 * A name for one save's parts: the time it began (fixed-width base 36) and a random suffix, so
 * generations sort by age and no two are equal.
 */
export const newGeneration = () => `${Date.now().toString(36).padStart(9, '0')}.${Math.random().toString(36).slice(2, 10).padEnd(8, '0')}`

/** Entries per part by default: a few ms of cloning each in Chromium for records of a few fields. */
export const defaultPartEntries = 4096

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object') return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/** Sets a field as data, never through a setter: a key "__proto__" is a field like any other. */
export const define = (target: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })

/** The number of entries of a collection worth splitting, or undefined for anything else. */
function sizeOf(value: unknown): number | undefined {
  if (value instanceof Map || value instanceof Set) return value.size
  if (Array.isArray(value)) return value.length
  if (isPlainObject(value)) return Object.keys(value).length
  return undefined
}

/**
 * Splits `state` into parts, or returns undefined when nothing in it is larger than
 * `partEntries` (such a state is saved whole, as one record).
 */
export function splitState(state: unknown, partEntries = defaultPartEntries): { readonly layout: PartLayout; readonly parts: unknown[] } | undefined {
  const parts: unknown[] = []
  const chunked = (entries: Iterable<unknown>): number[] => {
    const indexes: number[] = []
    let current: unknown[] = []
    for (const entry of entries) {
      current.push(entry)
      if (current.length === partEntries) {
        indexes.push(parts.push(current) - 1)
        current = []
      }
    }
    if (current.length > 0 || indexes.length === 0) indexes.push(parts.push(current) - 1)
    return indexes
  }
  const large = (value: unknown) => (sizeOf(value) ?? 0) > partEntries
  // Keyed entries go into a part as two lists, keys and values: reading back 100,000 [key, value]
  // pairs would make as many small arrays, and the garbage to go with them.
  const keyed = (entries: Iterable<readonly [unknown, unknown]>): number[] => {
    const indexes: number[] = []
    let keys: unknown[] = []
    let values: unknown[] = []
    for (const [key, value] of entries) {
      keys.push(key)
      values.push(value)
      if (keys.length === partEntries) {
        indexes.push(parts.push([keys, values]) - 1)
        keys = []
        values = []
      }
    }
    if (keys.length > 0 || indexes.length === 0) indexes.push(parts.push([keys, values]) - 1)
    return indexes
  }
  const collection = (value: unknown): PartLayout => {
    if (value instanceof Map) return { kind: 'map', parts: keyed(value) }
    if (value instanceof Set) return { kind: 'set', parts: chunked(value) }
    if (Array.isArray(value)) return { kind: 'array', parts: chunked(value) }
    return { kind: 'record', parts: keyed(Object.entries(value as Record<string, unknown>)) }
  }

  if (large(state)) return { layout: collection(state), parts }
  if (!isPlainObject(state)) return undefined
  const keys = Object.keys(state).filter((key) => large(state[key]))
  if (keys.length === 0) return undefined
  // The split fields stay in `rest` as null placeholders, so the joined state keeps the key order.
  const rest: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(state)) define(rest, key, keys.includes(key) ? null : value)
  const restPart = parts.push(rest) - 1
  const split: Record<string, PartLayout> = {}
  for (const key of keys) define(split, key, collection(state[key]))
  return { layout: { kind: 'fields', split, rest: restPart }, parts }
}

/**
 * Puts a state split by {@link splitState} back together. Throws a TypeError naming what is wrong
 * when a part is missing or not what the layout says (the caller treats the checkpoint as damaged).
 */
export function joinState(layout: PartLayout, parts: readonly unknown[]): unknown {
  const part = (index: unknown): unknown => {
    if (typeof index !== 'number' || !(index in parts)) throw new TypeError(`part ${String(index)} is missing`)
    return parts[index]
  }
  // Entry by entry into the result, part after part: no copy of all entries in between (a cold
  // start puts back collections of 100,000 entries).
  const eachEntry = (indexes: unknown, take: (entry: unknown) => void) => {
    if (!Array.isArray(indexes)) throw new TypeError('the layout lists no parts')
    for (const index of indexes) {
      const entries = part(index)
      if (!Array.isArray(entries)) throw new TypeError(`part ${String(index)} is not a list of entries`)
      for (const entry of entries) take(entry)
    }
  }
  const eachPair = (indexes: unknown, take: (key: unknown, value: unknown) => void) => {
    if (!Array.isArray(indexes)) throw new TypeError('the layout lists no parts')
    for (const index of indexes) {
      const lists = part(index)
      if (!Array.isArray(lists) || !Array.isArray(lists[0]) || !Array.isArray(lists[1]) || lists[0].length !== lists[1].length) {
        throw new TypeError(`part ${String(index)} is not a list of keys and one of values`)
      }
      const [keys, values] = lists as [unknown[], unknown[]]
      for (let i = 0; i < keys.length; i++) take(keys[i], values[i])
    }
  }
  if (typeof layout !== 'object' || layout === null) throw new TypeError('the layout is not an object')
  switch (layout.kind) {
    case 'whole':
      return part(layout.part)
    case 'map': {
      const map = new Map<unknown, unknown>()
      eachPair(layout.parts, (key, value) => map.set(key, value))
      return map
    }
    case 'set': {
      const set = new Set<unknown>()
      eachEntry(layout.parts, (value) => set.add(value))
      return set
    }
    case 'array': {
      const array: unknown[] = []
      eachEntry(layout.parts, (value) => array.push(value))
      return array
    }
    case 'record': {
      const record: Record<string, unknown> = {}
      eachPair(layout.parts, (key, value) => define(record, String(key), value))
      return record
    }
    case 'fields': {
      const rest = part(layout.rest)
      if (!isPlainObject(rest) || typeof layout.split !== 'object' || layout.split === null) throw new TypeError('the fields are not an object')
      const state: Record<string, unknown> = { ...rest }
      for (const [key, field] of Object.entries(layout.split)) define(state, key, joinState(field, parts))
      return state
    }
    default:
      throw new TypeError(`unknown layout ${JSON.stringify((layout as { kind?: unknown }).kind)}`)
  }
}
