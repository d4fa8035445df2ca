import type { AnyAggregateDefinition } from './aggregate'
import type { StreamSnapshot } from './storage/storage'

// Shape checks of states read back from storage (checkpoints, stream snapshots): storage hands back
// whatever a record holds, so a state is compared with the definition's initial state before use.

/**
 * Why a stream's compaction snapshot cannot be trusted (undefined when it can). The events it
 * replaces are gone, so it cannot be rebuilt: commands on that stream are refused with
 * StorageError `corrupt` rather than decided on a state that is not the stream's.
 */
export function streamSnapshotProblem(snapshot: StreamSnapshot, aggregate: AnyAggregateDefinition): string | undefined {
  if (typeof snapshot !== 'object' || snapshot === null) return `the record is ${describe(snapshot)}`
  if (snapshot.aggregate !== aggregate.name) return `it holds aggregate ${describe(snapshot.aggregate)}, not "${aggregate.name}"`
  if (!Number.isInteger(snapshot.version) || snapshot.version < 1) return `its version is ${describe(snapshot.version)}`
  return shapeMisfit(aggregate.initial(), snapshot.state, 'state', true)
}

/** A name for the kind of a value: `null`, `array`, `string`..., or the tag of an object (`Object`, `Map`, `Date`). */
function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'object') return Object.prototype.toString.call(value).slice(8, -1)
  return typeof value
}

/** A short description of a value for messages: its kind, and the value itself when it is a string or a number. */
export function describe(value: unknown): string {
  const kind = kindOf(value)
  return typeof value === 'string' || typeof value === 'number' ? `${kind} ${JSON.stringify(value)}` : kind
}

/**
 * Why `value` cannot be a state of a projection whose initial state is `initial` (undefined when it
 * can). `initial` fields that are null or undefined may take any value later; a primitive field may
 * change kind (a union such as `string | null`), but not turn into a container or vanish; at the
 * top, a primitive state keeps its kind.
 */
export function shapeMisfit(initial: unknown, value: unknown, path: string, top: boolean): string | undefined {
  if (initial === null || initial === undefined) return undefined
  const expected = kindOf(initial)
  const actual = kindOf(value)
  const container = value !== null && typeof value === 'object'
  if (typeof initial !== 'object') {
    if (value === undefined) return `${path} is missing`
    if (top ? actual !== expected && actual !== 'null' : container) return `${path} is ${describe(value)} where ${expected} was expected`
    return undefined
  }
  if (actual !== expected) return `${path} is ${describe(value)} where ${expected} was expected`
  if (!top || expected !== 'Object') return undefined
  for (const [key, field] of Object.entries(initial)) {
    const misfit = shapeMisfit(field, (value as Record<string, unknown>)[key], `${path}.${key}`, false)
    if (misfit !== undefined) return misfit
  }
  return undefined
}
