import type { SchemaIssue } from '@chronicle/core'

/** Marks a value that failed to decode; its issues are in the issue list. */
export const invalid: unique symbol = Symbol('invalid')

/**
 * Checks an untrusted value and returns a fresh, typed copy of it (unknown object keys are
 * dropped), or `invalid` after adding what is wrong, with its path, to `issues`.
 */
export type Decoder<T> = (value: unknown, path: string, issues: SchemaIssue[]) => T | typeof invalid

/** The result of decoding a whole message. */
export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly SchemaIssue[] }

/** Runs a decoder over an untrusted value; every problem found is reported, not just the first. */
export function decodeWith<T>(decoder: Decoder<T>, value: unknown): Decoded<T> {
  const issues: SchemaIssue[] = []
  const result = decoder(value, '', issues)
  return result === invalid || issues.length > 0 ? { ok: false, issues } : { ok: true, value: result }
}

const join = (path: string, key: string | number) => (path === '' ? String(key) : `${path}.${key}`)

const fail = (issues: SchemaIssue[], path: string, message: string): typeof invalid => {
  issues.push({ path, message })
  return invalid
}

/** A string of `min`..`max` UTF-16 units. */
export function string(options: { min?: number; max: number }): Decoder<string> {
  const min = options.min ?? 0
  return (value, path, issues) => {
    if (typeof value !== 'string') return fail(issues, path, `expected a string, got ${describe(value)}`)
    if (value.length < min || value.length > options.max) return fail(issues, path, `expected ${min} to ${options.max} characters, got ${value.length}`)
    return value
  }
}

/** A safe integer within `min`..`max` (default: any non-negative safe integer). */
export function integer(options: { min?: number; max?: number } = {}): Decoder<number> {
  const min = options.min ?? 0
  const max = options.max ?? Number.MAX_SAFE_INTEGER
  return (value, path, issues) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return fail(issues, path, `expected an integer, got ${describe(value)}`)
    if (value < min || value > max) return fail(issues, path, `expected an integer from ${min} to ${max}, got ${value}`)
    return value
  }
}

/** Exactly `expected`. */
export function literal<const L extends string | number | boolean>(expected: L): Decoder<L> {
  return (value, path, issues) => (value === expected ? expected : fail(issues, path, `expected ${JSON.stringify(expected)}, got ${describe(value)}`))
}

/** A boolean. */
export const boolean: Decoder<boolean> = (value, path, issues) =>
  typeof value === 'boolean' ? value : fail(issues, path, `expected a boolean, got ${describe(value)}`)

/** Any JSON value (what `JSON.parse` can produce), nested at most `maxDepth` levels. */
export function json(maxDepth = 64): Decoder<unknown> {
  const check = (value: unknown, depth: number): boolean => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
    if (typeof value === 'number') return Number.isFinite(value)
    if (depth >= maxDepth || typeof value !== 'object') return false
    if (Array.isArray(value)) return value.every((item) => check(item, depth + 1))
    const prototype = Object.getPrototypeOf(value) as unknown
    if (prototype !== Object.prototype && prototype !== null) return false
    return Object.values(value).every((item) => check(item, depth + 1))
  }
  return (value, path, issues) => (check(value, 0) ? value : fail(issues, path, `expected a JSON value nested at most ${maxDepth} levels`))
}

/** An array of at most `max` items, each checked by `item`. */
export function array<T>(item: Decoder<T>, options: { max: number; min?: number }): Decoder<T[]> {
  return (value, path, issues) => {
    if (!Array.isArray(value)) return fail(issues, path, `expected an array, got ${describe(value)}`)
    if (value.length > options.max) return fail(issues, path, `expected at most ${options.max} items, got ${value.length}`)
    if (value.length < (options.min ?? 0)) return fail(issues, path, `expected at least ${options.min} items, got ${value.length}`)
    const out: T[] = []
    let ok = true
    value.forEach((entry, index) => {
      const decoded = item(entry, join(path, index), issues)
      if (decoded === invalid) ok = false
      else out.push(decoded)
    })
    return ok ? out : invalid
  }
}

type Shape = { readonly [key: string]: Decoder<unknown> }
type Out<S extends Shape> = { -readonly [K in keyof S]: S[K] extends Decoder<infer T> ? T : never }
type OptionalKeys<S extends Shape, O extends keyof S> = Omit<Out<S>, O> & { [K in O]?: Out<S>[K] }

/**
 * A plain object with these keys; keys listed in `optional` may be absent. Keys the shape does
 * not name are dropped, so later protocol additions do not break older peers.
 */
export function object<S extends Shape, O extends keyof S & string = never>(shape: S, optional: readonly O[] = []): Decoder<OptionalKeys<S, NoInfer<O>>> {
  const optionalKeys = new Set<string>(optional)
  return (value, path, issues) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(issues, path, `expected an object, got ${describe(value)}`)
    const source = value as Record<string, unknown>
    const out: Record<string, unknown> = {}
    let ok = true
    for (const key of Object.keys(shape)) {
      const present = Object.prototype.hasOwnProperty.call(source, key) && source[key] !== undefined
      if (!present) {
        if (!optionalKeys.has(key)) {
          fail(issues, join(path, key), 'is required')
          ok = false
        }
        continue
      }
      const decoded = shape[key]!(source[key], join(path, key), issues)
      if (decoded === invalid) ok = false
      else out[key] = decoded
    }
    return ok ? (out as OptionalKeys<S, NoInfer<O>>) : invalid
  }
}

/** One of several object variants, chosen by the string in `tag`. */
export function variant<T>(tag: string, variants: { readonly [value: string]: Decoder<T> }): Decoder<T> {
  return (value, path, issues) => {
    const key = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[tag] : undefined
    const decoder = typeof key === 'string' && Object.prototype.hasOwnProperty.call(variants, key) ? variants[key] : undefined
    if (!decoder) return fail(issues, join(path, tag), `expected one of ${Object.keys(variants).map((v) => JSON.stringify(v)).join(', ')}, got ${describe(key)}`)
    return decoder(value, path, issues)
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`
}
