import { StorageError } from './errors'
import type { AnyAggregateDefinition } from './aggregate'
import type { AnyProjectionDefinition } from './projection'
import type { StoredCheckpoint, StreamSnapshot } from './storage/storage'

/**
 * What a cold start may do with a read model's stored checkpoint: continue from it (`usable`),
 * rebuild without a word (none stored, or saved by another `version` of the projection, which is
 * how a changed projection asks for its rebuild), or rebuild and say why (`corrupt`: a record no
 * version of this code would have saved, so something wrote over it or the storage damaged it).
 */
export type CheckpointVerdict = 'usable' | 'absent' | 'outdated' | { readonly corrupt: string }

/**
 * Judges a checkpoint read back from storage before any of it is shown. Storage hands back
 * whatever the record holds, so every field is checked: the position must lie within the log
 * (`origin` is 0 or the compaction horizon), and the state must have the shape of the
 * projection's `initial` state (same kind of value; for an object, the same kind in each of
 * `initial`'s fields, one level deep). The shape check is what keeps a checkpoint at the head, with
 * no tail to fail on, from being shown as it is.
 */
export function judgeCheckpoint(checkpoint: StoredCheckpoint | undefined, definition: AnyProjectionDefinition, log: { readonly origin: number; readonly head: number }): CheckpointVerdict {
  if (checkpoint === undefined) return 'absent'
  if (typeof checkpoint !== 'object' || checkpoint === null) return { corrupt: `the record is ${describe(checkpoint)}, not a checkpoint` }
  if (typeof checkpoint.damaged === 'string') return { corrupt: checkpoint.damaged }
  if (checkpoint.version !== definition.version) return Number.isInteger(checkpoint.version) ? 'outdated' : { corrupt: `its version is ${describe(checkpoint.version)}` }
  const { position } = checkpoint
  if (!Number.isInteger(position)) return { corrupt: `its position is ${describe(position)}` }
  if (position < log.origin || position > log.head) return { corrupt: `its position ${position} lies outside the log (${log.origin} to ${log.head})` }
  const misfit = shapeMisfit(definition.initial, checkpoint.state, 'state', true)
  return misfit === undefined ? 'usable' : { corrupt: misfit }
}

/** The error a corrupt checkpoint is reported with (on `store.errors$`); the store itself works on. */
export function corruptCheckpoint(name: string, reason: string): StorageError {
  return new StorageError(
    'corrupt',
    `The stored checkpoint of read model "${name}" cannot be trusted (${reason}); it was discarded and "${name}" rebuilt from the event log, which is intact. Nothing needs doing, but something other than this store wrote that record.`,
  )
}

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

function describe(value: unknown): string {
  const kind = kindOf(value)
  return typeof value === 'string' || typeof value === 'number' ? `${kind} ${JSON.stringify(value)}` : kind
}

/**
 * Why `value` cannot be a state of a projection whose initial state is `initial` (undefined when it
 * can). `initial` fields that are null or undefined may take any value later; a primitive field may
 * change kind (a union such as `string | null`), but not turn into a container or vanish; at the
 * top, a primitive state keeps its kind.
 */
function shapeMisfit(initial: unknown, value: unknown, path: string, top: boolean): string | undefined {
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
