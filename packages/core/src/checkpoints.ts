import { StorageError } from './errors'
import type { AnyProjectionDefinition } from './projection'
import type { StoredCheckpoint } from './storage/storage'
import { describe, shapeMisfit } from './stateShape'

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
