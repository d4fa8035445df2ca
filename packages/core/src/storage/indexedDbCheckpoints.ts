import type { IDBPDatabase, IDBPObjectStore, StoreNames } from 'idb'
import { joinState, newGeneration, splitState } from './checkpointParts'
import type { CheckpointPartRecord, ChronicleDb, SlicedCheckpointRecord } from './indexedDbSchema'
import type { StoredCheckpoint } from './storage'
import { unawaited } from './indexedDbErrors'

// Read-model checkpoints in IndexedDB. A small state is one record, as it always was. A large one
// is saved in parts (see checkpointParts.ts), each in a transaction of its own, then a header
// names them. Parts live in the same object store, under `<name>\0<generation>\0<index>`; a
// generation is the time its save began (fixed-width base 36) and a random suffix, so generations
// sort by age and no two are equal.

type CheckpointStore = IDBPObjectStore<ChronicleDb, ArrayLike<StoreNames<ChronicleDb>>, 'checkpoints', 'readwrite'>

const partKey = (name: string, generation: string, index: number) => `${name}\0${generation}\0${index}`
/** Every part key of `name`'s checkpoints, of any generation. */
const partsOf = (name: string) => IDBKeyRange.bound(`${name}\0`, `${name}\x01`, false, true)
/** Every part key of one generation. */
const generationParts = (name: string, generation: string) => IDBKeyRange.bound(`${name}\0${generation}\0`, `${name}\0${generation}\x01`, false, true)

/** Whether a record of the checkpoints store is a part (not a checkpoint or a header). */
export const isCheckpointPart = (record: unknown): record is CheckpointPartRecord => {
  if (typeof record !== 'object' || record === null || !('part' in record)) return false
  const { name } = record as { readonly name?: unknown }
  return typeof name === 'string' && name.includes('\0')
}

/** The stored checkpoints, large ones put back together; one whose parts are not all there is marked `damaged`. */
export async function loadCheckpoints(db: IDBPDatabase<ChronicleDb>): Promise<StoredCheckpoint[]> {
  const records = (await db.getAll('checkpoints')) as unknown[]
  const parts = new Map<string, unknown>()
  const headers: unknown[] = []
  for (const record of records) {
    if (isCheckpointPart(record)) parts.set(record.name, record.part)
    else headers.push(record)
  }
  return headers.map((header) => {
    if (typeof header !== 'object' || header === null || !('sliced' in header)) return header as StoredCheckpoint
    const { sliced, ...rest } = header as SlicedCheckpointRecord
    try {
      if (typeof sliced !== 'object' || sliced === null || typeof sliced.generation !== 'string') throw new TypeError('its header names no parts')
      const found: unknown[] = []
      const prefix = `${rest.name}\0${sliced.generation}\0`
      for (const [key, part] of parts) if (key.startsWith(prefix)) found[Number(key.slice(prefix.length))] = part
      return { ...rest, state: joinState(sliced.layout, found) }
    } catch (error) {
      return { ...rest, state: undefined, damaged: `it was saved in parts, and ${error instanceof Error ? error.message : String(error)}` }
    }
  })
}

/**
 * Saves checkpoints: each large state in parts, one transaction (one short task) per part, then
 * every header in one transaction. Several tabs may save the same read model at once; whatever
 * the interleaving, the header that stays names parts that are all there, and no other parts stay
 * once the saves are done. In the headers' transaction, for each read model:
 * - when parts of a newer generation are stored (a later save is under way or done), this save
 *   keeps out of its way: it deletes what it wrote and leaves the header as it is;
 * - when its own parts are not all there (a later save finished first and deleted them), likewise;
 * - otherwise it deletes the parts of every older generation (the header it replaces, what a
 *   closed or crashed tab left half-written, an older save still writing, which then finds its
 *   parts gone) and writes its header.
 * The stored header is never read: a whole one can be as large as the parts it would have made.
 */
export async function saveCheckpoints(db: IDBPDatabase<ChronicleDb>, checkpoints: readonly StoredCheckpoint[], partEntries: number): Promise<void> {
  const generation = newGeneration()
  const headers: { readonly record: StoredCheckpoint | SlicedCheckpointRecord; readonly parts: number }[] = []
  for (const checkpoint of checkpoints) {
    const split = splitState(checkpoint.state, partEntries)
    if (!split) {
      headers.push({ record: checkpoint, parts: 0 })
      continue
    }
    for (const [index, part] of split.parts.entries()) {
      const tx = db.transaction('checkpoints', 'readwrite')
      unawaited(tx.store.put({ name: partKey(checkpoint.name, generation, index), part }))
      await tx.done
    }
    const { state: _state, ...rest } = checkpoint
    headers.push({ record: { ...rest, sliced: { generation, layout: split.layout } }, parts: split.parts.length })
  }
  const tx = db.transaction('checkpoints', 'readwrite')
  for (const { record, parts } of headers) {
    const { name } = record
    const older: string[] = []
    let newer = false
    let own = 0
    // A key cursor: the parts' values are not read. The generation follows the read model's name.
    let cursor = await tx.store.openKeyCursor(partsOf(name))
    while (cursor) {
      const other = String(cursor.key).slice(name.length + 1).split('\0')[0]!
      if (other === generation) own++
      else if (other < generation) older.push(String(cursor.key))
      else newer = true
      cursor = await cursor.continue()
    }
    if (newer || own !== parts) {
      if (parts > 0) unawaited(tx.store.delete(generationParts(name, generation)))
      continue
    }
    for (const key of older) unawaited(tx.store.delete(key))
    unawaited(tx.store.put(record))
  }
  await tx.done
}

/** Deletes every part of `name`'s checkpoints, in the transaction of `store`. */
export const deleteCheckpointParts = (store: CheckpointStore, name: string): Promise<void> => store.delete(partsOf(name))

/**
 * In the compaction's transaction: deletes the checkpoints older than `position`, with their
 * parts. Parts are not read to find them (the key cursor skips their values).
 */
export async function deleteCheckpointsBefore(store: CheckpointStore, position: number): Promise<void> {
  let cursor = await store.openKeyCursor()
  const dropped: string[] = []
  while (cursor) {
    const name = String(cursor.key)
    if (!name.includes('\0')) {
      const stored = await store.get(name)
      if (stored && !isCheckpointPart(stored) && stored.position < position) {
        unawaited(store.delete(name))
        dropped.push(name)
      }
    }
    cursor = await cursor.continue()
  }
  for (const name of dropped) unawaited(deleteCheckpointParts(store, name))
}

/** Deletes a read model's checkpoint and its parts, in one transaction. */
export async function deleteCheckpoint(db: IDBPDatabase<ChronicleDb>, name: string): Promise<void> {
  const tx = db.transaction('checkpoints', 'readwrite')
  unawaited(tx.store.delete(name))
  unawaited(deleteCheckpointParts(tx.store, name))
  await tx.done
}
