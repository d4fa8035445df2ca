import type { DBSchema, IDBPDatabase } from 'idb'
import type { EventEnvelope } from '../event'
import type { PartLayout } from './checkpointParts'
import type { PendingCommand, StoredCheckpoint, StreamSnapshot } from './storage'

// The records of the IndexedDB event log and the typed layout `idb` checks every call against.
// Types only: the steps that make the layout are in indexedDbLayout.ts.

/**
 * Where a command's events are in the log: `first` and `last` are the positions of its first and
 * last event. Kept for the commands whose repeats must be recognised (see `migrations`, step 2).
 */
export interface CommandRecord {
  readonly commandId: string
  readonly first: number
  readonly last: number
  /** What the command asked for (`AppendCommand.fingerprint`); absent on records written before it existed. */
  readonly fingerprint?: string
}

/** One part of a checkpoint saved in parts (indexedDbCheckpoints.ts). */
export interface CheckpointPartRecord {
  readonly name: string
  readonly part: unknown
}

/** The header of a checkpoint saved in parts: everything but the state, and where its parts are. */
export interface SlicedCheckpointRecord extends Omit<StoredCheckpoint, 'state' | 'damaged'> {
  readonly state?: undefined
  readonly sliced: { readonly generation: string; readonly layout: PartLayout }
}

/** What the checkpoints object store holds. */
export type CheckpointRecord = StoredCheckpoint | SlicedCheckpointRecord | CheckpointPartRecord

/** The typed layout `idb` checks every call against (the current schema version's). */
export interface ChronicleDb extends DBSchema {
  events: {
    key: number
    value: EventEnvelope
    indexes: { stream: [string, number] }
  }
  commands: { key: string; value: CommandRecord }
  checkpoints: { key: string; value: CheckpointRecord }
  streams: { key: string; value: StreamSnapshot }
  outbox: { key: string; value: PendingCommand; indexes: { order: number } }
  meta: { key: string; value: unknown }
}

/** An open IndexedDB event log: what its parts (append, outbox, compaction, ...) work with. */
export interface IndexedDbLog {
  readonly db: IDBPDatabase<ChronicleDb>
  /** The same connection without idb's wrapper, for the hot path of appends. */
  readonly rawDb: IDBDatabase
  /** Options of write transactions: undefined for the browser's default durability. */
  readonly writing: { readonly durability: 'strict' | 'relaxed' } | undefined
  /** Entries per part when a large state is saved in parts. */
  readonly partEntries: number
  /** Runs `work` unless the log is closed, mapping what IndexedDB throws to a StorageError about `what`. */
  guard<T>(what: string, work: () => Promise<T>): Promise<T>
}
