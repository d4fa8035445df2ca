import { newGeneration } from './checkpointParts'
import { deleteCheckpointsBefore } from './indexedDbCheckpoints'
import { damagedHorizon, unawaited } from './indexedDbErrors'
import { dropOtherHorizonParts, horizonProblem, readHorizonStates, storedHorizon, writeHorizonParts, type HorizonRecord } from './indexedDbHorizon'
import type { IndexedDbLog } from './indexedDbSchema'
import type { CompactionStorage } from './storage'

/**
 * Compaction of an IndexedDB event log: the events up to the horizon go, in one transaction with
 * the snapshots of their streams and the compaction record (`meta` 'horizon'), whose read-model
 * states are written in parts before it (indexedDbHorizon.ts).
 */
export function indexedDbCompaction({ db, writing, partEntries, guard }: IndexedDbLog): CompactionStorage {
  return {
    compact: (horizon, streams) =>
      guard('Compacting the log', async () => {
        // The read-model states first, in parts (indexedDbHorizon.ts); the record naming them comes
        // with the removal, in one transaction.
        const generation = newGeneration()
        const written = await writeHorizonParts(db, horizon, generation, partEntries)
        const tx = db.transaction(['events', 'streams', 'checkpoints', 'commands', 'meta'], 'readwrite', writing)
        const meta = tx.objectStore('meta')
        const previous = (await meta.get('horizon')) as HorizonRecord | undefined
        if ((previous?.position ?? 0) >= horizon.position) {
          // Another tab compacted as far or further meanwhile: what this one would remove is gone.
          await dropOtherHorizonParts(meta, previous?.parts?.generation)
          return tx.done
        }
        for (const snapshot of streams) unawaited(tx.objectStore('streams').put(snapshot))
        unawaited(meta.put(written, 'horizon'))
        await dropOtherHorizonParts(meta, generation)
        unawaited(tx.objectStore('events').delete(IDBKeyRange.upperBound(horizon.position)))
        await deleteCheckpointsBefore(tx.objectStore('checkpoints'), horizon.position)
        // A command whose events are all gone is forgotten with them, as in memoryStorage.
        let record = await tx.objectStore('commands').openCursor()
        while (record) {
          if (record.value.last <= horizon.position) unawaited(record.delete())
          record = await record.continue()
        }
        await tx.done
      }),

    loadHorizon: () =>
      guard('Reading the compaction horizon', async () => {
        const stored = (await db.get('meta', 'horizon')) as HorizonRecord | undefined
        if (stored === undefined) return undefined
        const problem = await horizonProblem(db, stored)
        if (problem) throw damagedHorizon(problem)
        return storedHorizon(stored)
      }),

    loadHorizonStates: (position) =>
      guard('Reading the read-model states at the compaction horizon', async () => {
        try {
          return await readHorizonStates(db, position)
        } catch (error) {
          if (error instanceof TypeError) throw damagedHorizon(error.message)
          throw error
        }
      }),

    loadStreamSnapshot: (stream) => guard(`Reading the snapshot of ${stream}`, () => db.get('streams', stream)),
  }
}
