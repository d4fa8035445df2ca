/**
 * Compares two values one level deep: true when they are the same value (`Object.is`), or both
 * arrays with the same items in the same order, both plain objects with the same own keys holding
 * the same values, both Maps with the same keys holding the same values, or both Sets with the same
 * members; each item compared with `Object.is`. Anything else (class instances, dates, a plain
 * object against an array) is equal only to itself.
 *
 * Pass it as `equal` to `useProjection`, `useQuery` or `store.query` when a selector builds a new
 * array or object on every call: the component then re-renders only when an item changed.
 *
 * @example
 * const names = useProjection(boardView, (s) => Object.keys(s.columns), shallow)
 * const card = useProjection(boardView, (s) => ({ count: s.count, todo: s.columns.todo }), shallow)
 */
export function shallow<T>(a: T, b: T): boolean {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a)) return Array.isArray(b) && sameItems(a, b)
  if (a instanceof Map) return b instanceof Map && sameEntries(a, b)
  if (a instanceof Set) return b instanceof Set && a.size === b.size && [...a].every((member) => b.has(member))
  return isPlainObject(a) && isPlainObject(b) && sameProperties(a, b)
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((item, i) => Object.is(item, b[i]))
}

function sameEntries(a: ReadonlyMap<unknown, unknown>, b: ReadonlyMap<unknown, unknown>): boolean {
  if (a.size !== b.size) return false
  for (const [key, value] of a) {
    if (!b.has(key) || !Object.is(value, b.get(key))) return false
  }
  return true
}

function sameProperties(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && Object.is(a[key], b[key]))
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}
