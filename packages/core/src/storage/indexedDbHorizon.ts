import type { IDBPDatabase, IDBPObjectStore, StoreNames } from 'idb'
import { define, joinState, splitState, type PartLayout } from './checkpointParts'
import type { ChronicleDb } from './indexedDbSchema'
import type { Horizon, StoredHorizon } from './storage'
import { unawaited } from './indexedDbErrors'

// The compaction record in IndexedDB's `meta` store. It holds every read model's state at the
// horizon, as large as a checkpoint: stored in one record, it was one long copy on the page's
// thread when compacting, and read whole by every cold start, which needs only its position.
// So the states go into parts (as checkpoints do, checkpointParts.ts) under
// `horizon\0<generation>\0<index>`, each written in a transaction of its own before the
// compaction's transaction writes the record that names them; they are read only when a read
// model must start again from the horizon, or time travel and undo reach back to it.

/** The compaction record. Before 2026-12-06 it held `states` itself; such records are still read. */
export interface HorizonRecord {
  readonly position: number
  readonly compactedAt: number
  readonly states?: Horizon['states']
  readonly parts?: {
    readonly generation: string
    readonly count: number
    /** Per read model: its projection version, how its state was split, and the index of its first part. */
    readonly states: { readonly [projection: string]: { readonly version: number; readonly layout: PartLayout; readonly first: number } }
  }
}

const partKey = (generation: string, index: number) => `horizon\0${generation}\0${String(index).padStart(9, '0')}`
const generationParts = (generation: string) => IDBKeyRange.bound(`horizon\0${generation}\0`, `horizon\0${generation}\x01`, false, true)
const allParts = () => IDBKeyRange.bound('horizon\0', 'horizon\x01', false, true)

/** Writes the horizon's states in parts, a transaction each; resolves with the record that names them. */
export async function writeHorizonParts(db: IDBPDatabase<ChronicleDb>, horizon: Horizon, generation: string, partEntries: number): Promise<HorizonRecord> {
  const states: Record<string, { version: number; layout: PartLayout; first: number }> = {}
  let count = 0
  for (const [name, { version, state }] of Object.entries(horizon.states)) {
    const { layout, parts } = splitState(state, partEntries) ?? { layout: { kind: 'whole', part: 0 } as const, parts: [state] }
    define(states, name, { version, layout, first: count })
    for (const part of parts) {
      const tx = db.transaction('meta', 'readwrite')
      unawaited(tx.store.put(part, partKey(generation, count++)))
      await tx.done
    }
  }
  return { position: horizon.position, compactedAt: horizon.compactedAt, parts: { generation, count, states } }
}

/** In the compaction's transaction: deletes the parts of every generation but `keep` (none when undefined). */
export async function dropOtherHorizonParts(meta: IDBPObjectStore<ChronicleDb, ArrayLike<StoreNames<ChronicleDb>>, 'meta', 'readwrite'>, keep: string | undefined): Promise<void> {
  let cursor = await meta.openKeyCursor(allParts())
  while (cursor) {
    // A key cursor cannot delete (it holds no value): the store does.
    if (String(cursor.key).split('\0')[1] !== keep) unawaited(meta.delete(cursor.key))
    cursor = await cursor.continue()
  }
}

/** Why a stored compaction record cannot be used (undefined when it can); counts its parts. */
export async function horizonProblem(db: IDBPDatabase<ChronicleDb>, record: HorizonRecord): Promise<string | undefined> {
  if (typeof record !== 'object' || record === null) return `it is ${record === null ? 'null' : typeof record}, not a record`
  if (!Number.isInteger(record.position) || record.position < 0) return `its position is ${JSON.stringify(record.position)}`
  if (record.parts !== undefined) {
    const { parts } = record
    if (typeof parts !== 'object' || parts === null || typeof parts.generation !== 'string' || !Number.isInteger(parts.count) || typeof parts.states !== 'object' || parts.states === null) {
      return 'the list of its read-model states is damaged'
    }
    for (const [name, entry] of Object.entries(parts.states)) {
      if (typeof entry !== 'object' || entry === null || !Number.isInteger(entry.version) || !Number.isInteger(entry.first) || typeof entry.layout !== 'object') return `the state it lists for read model "${name}" is damaged`
    }
    const stored = await db.count('meta', generationParts(parts.generation))
    return stored === parts.count ? undefined : `${parts.count - stored} of the ${parts.count} parts of its read-model states are missing`
  }
  if (typeof record.states !== 'object' || record.states === null || Array.isArray(record.states)) return 'its read-model states are missing'
  for (const [name, entry] of Object.entries(record.states)) {
    if (typeof entry !== 'object' || entry === null || !Number.isInteger(entry.version) || !('state' in entry)) return `the state it holds for read model "${name}" is damaged`
  }
  return undefined
}

/** What `loadHorizon` hands out: the states only when the record holds them itself (an older record). */
export const storedHorizon = (record: HorizonRecord): StoredHorizon =>
  record.parts ? { position: record.position, compactedAt: record.compactedAt } : { position: record.position, compactedAt: record.compactedAt, states: record.states! }

/**
 * The states of the horizon at `position`, put back together; undefined when the stored horizon
 * is another one (a tab compacted again meanwhile). Throws a TypeError naming a missing part.
 */
export async function readHorizonStates(db: IDBPDatabase<ChronicleDb>, position: number): Promise<Horizon['states'] | undefined> {
  const tx = db.transaction('meta')
  const record = (await tx.store.get('horizon')) as HorizonRecord | undefined
  if (!record || record.position !== position) return undefined
  if (!record.parts) return record.states
  const { generation, states } = record.parts
  const parts = await tx.store.getAll(generationParts(generation))
  const joined: Record<string, { version: number; state: unknown }> = {}
  for (const [name, { version, layout, first }] of Object.entries(states)) {
    define(joined, name, { version, state: joinState(layout, parts.slice(first)) })
  }
  return joined
}
