/** One step of a path into a state: an object key or an array index. */
export type PathSegment = string | number

/** One difference between two states. */
export interface Change {
  readonly path: readonly PathSegment[]
  readonly kind: 'added' | 'removed' | 'changed'
  readonly before: unknown
  readonly after: unknown
}

/** What `diffStates` found; `complete` is false when it stopped at one of its limits. */
export interface StateDiff {
  readonly changes: readonly Change[]
  readonly complete: boolean
}

/** Limits that keep a diff of two huge states from freezing the tab. */
export interface DiffLimits {
  /** Changes to report at most (default 200). */
  readonly maxChanges?: number
  /** Values to visit at most (default 100,000). */
  readonly maxNodes?: number
}

type Container = Record<PropertyKey, unknown> | unknown[] | Map<unknown, unknown> | Set<unknown>

/** Objects, arrays, Maps and Sets: what a state tree can open and a diff can look into. */
export const isContainer = (value: unknown): value is Container => {
  if (typeof value !== 'object' || value === null) return false
  if (Array.isArray(value) || value instanceof Map || value instanceof Set) return true
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** A container as an array or a plain object: a Set by its values in order, a Map by its keys as strings. */
export function normalise(value: Container): Record<PropertyKey, unknown> | unknown[] {
  if (value instanceof Set) return [...value]
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), v]))
  return value
}

const hasOwn = (object: object, key: PropertyKey) => Object.prototype.hasOwnProperty.call(object, key)

/**
 * The differences between two read-model states, path by path. Read-model states share every
 * unchanged part (immer's structural sharing), so identical references are skipped without
 * looking inside: a diff costs what changed, not the size of the state. Limits bound the worst
 * case (two unrelated states).
 *
 * @example
 * diffStates({ todo: ['c1'] }, { todo: ['c1', 'c2'] }).changes
 * // [{ path: ['todo', 1], kind: 'added', before: undefined, after: 'c2' }]
 */
export function diffStates(before: unknown, after: unknown, limits: DiffLimits = {}): StateDiff {
  const maxChanges = limits.maxChanges ?? 200
  let nodes = limits.maxNodes ?? 100_000
  const changes: Change[] = []
  let complete = true

  const record = (change: Change) => {
    if (changes.length >= maxChanges) complete = false
    else changes.push(change)
  }

  const walk = (a: unknown, b: unknown, path: PathSegment[]): void => {
    if (!complete || Object.is(a, b)) return
    if (--nodes < 0) {
      complete = false
      return
    }
    if (a instanceof Date && b instanceof Date && a.getTime() === b.getTime()) return
    if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b) || a instanceof Set !== b instanceof Set) {
      return record({ path, kind: 'changed', before: a, after: b })
    }
    const x = normalise(a)
    const y = normalise(b)
    if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = 0; i < Math.max(x.length, y.length) && complete; i++) {
        if (i >= y.length) record({ path: [...path, i], kind: 'removed', before: x[i], after: undefined })
        else if (i >= x.length) record({ path: [...path, i], kind: 'added', before: undefined, after: y[i] })
        else if (!Object.is(x[i], y[i])) walk(x[i], y[i], [...path, i])
      }
      return
    }
    const left = x as Record<string, unknown>
    const right = y as Record<string, unknown>
    for (const key of Object.keys(left)) {
      if (!complete) return
      if (!hasOwn(right, key)) record({ path: [...path, key], kind: 'removed', before: left[key], after: undefined })
      else if (!Object.is(left[key], right[key])) walk(left[key], right[key], [...path, key])
    }
    for (const key of Object.keys(right)) {
      if (!complete) return
      if (!hasOwn(left, key)) record({ path: [...path, key], kind: 'added', before: undefined, after: right[key] })
    }
  }

  walk(before, after, [])
  return { changes, complete }
}

/**
 * A path as code would write it: `columns.todo[1]`, `cards["card 7"]`.
 *
 * @example
 * formatPath(['columns', 'todo', 1]) // 'columns.todo[1]'
 */
export function formatPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return '(root)'
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`
      if (/^[A-Za-z_$][\w$]*$/.test(segment)) return i === 0 ? segment : `.${segment}`
      return `[${JSON.stringify(segment)}]`
    })
    .join('')
}
