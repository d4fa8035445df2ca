import type { StoreNames } from 'idb'
import type { EventEnvelope } from '../event'
import type { ChronicleDb, CommandRecord } from './indexedDbSchema'

/**
 * One step of the database layout: `migrations[i]` brings a database to the layout of version
 * `i + 1`, inside the `versionchange` transaction of the open that upgrades it. Every step runs on
 * every upgrade, from the first, whatever the database's old version says: a database of that name
 * may hold less than its version promises (a plain `indexedDB.open('chronicle:<name>')` makes one
 * at version 1 without object stores). So a step looks at what exists and adds only what is
 * missing; steps only add (object stores, indexes), drop indexes, or write records derived from
 * the events; none may drop events or touch object stores it does not own.
 */
export type Migration = (database: IDBDatabase, transaction: IDBTransaction) => void

/** Events read per request when a step reads the whole log. */
const pageSize = 10_000

/** The object store `name`, created with `options` when the database does not have it. */
function ensureStore(database: IDBDatabase, transaction: IDBTransaction, name: string, options?: IDBObjectStoreParameters): { store: IDBObjectStore; created: boolean } {
  if (database.objectStoreNames.contains(name)) return { store: transaction.objectStore(name), created: false }
  return { store: database.createObjectStore(name, options), created: true }
}

/** Creates index `name` on `store` unless it has one of that name. */
function ensureIndex(store: IDBObjectStore, name: string, keyPath: string | string[], options?: IDBIndexParameters): void {
  if (!store.indexNames.contains(name)) store.createIndex(name, keyPath, options)
}

/**
 * Gives every command of the log its CommandRecord, reading the events page by page inside the
 * upgrade's transaction. A damaged record must not fail the upgrade (an exception would abort it).
 */
function recordEveryCommand(events: IDBObjectStore, commands: IDBObjectStore): void {
  const ranges = new Map<string, { first: number; last: number }>()
  const readPage = (after: number) => {
    const request = events.getAll(IDBKeyRange.lowerBound(after, true), pageSize)
    request.onsuccess = () => {
      const page = request.result as EventEnvelope[]
      for (const event of page) {
        const commandId: unknown = event?.meta?.commandId
        if (typeof commandId !== 'string') continue
        const range = ranges.get(commandId)
        if (range) range.last = event.seq
        else ranges.set(commandId, { first: event.seq, last: event.seq })
      }
      if (page.length === pageSize) return readPage(page.at(-1)!.seq)
      for (const [commandId, range] of ranges) commands.put({ commandId, ...range } satisfies CommandRecord)
    }
  }
  readPage(0)
}

/** The database layout, one step per schema version. Append new steps; old ones change only to look before they add. */
export const migrations: readonly Migration[] = [
  // 1: the event log (auto-incremented seq, unique [stream, version], commandId), checkpoints,
  // compaction snapshots of streams, the sync outbox, meta.
  (database, transaction) => {
    const events = ensureStore(database, transaction, 'events', { keyPath: 'seq', autoIncrement: true })
    ensureIndex(events.store, 'stream', ['stream', 'version'], { unique: true })
    // Step 2 drops it again: made only with the store, never built over events already there.
    if (events.created) events.store.createIndex('command', 'meta.commandId')
    ensureStore(database, transaction, 'checkpoints', { keyPath: 'name' })
    ensureStore(database, transaction, 'streams', { keyPath: 'stream' })
    ensureIndex(ensureStore(database, transaction, 'outbox', { keyPath: 'commandId' }).store, 'order', 'order', { unique: true })
    ensureStore(database, transaction, 'meta')
  },
  // 2: the commandId index goes: every append paid for it (~7% of a one-event transaction in
  // Chromium 156), while only commands with an explicit commandId need to be found again. Those
  // get a record in `commands` (CommandRecord), written in the transaction that appends their
  // events. Which commands of the existing log had an explicit id is not known, so every one gets
  // its record: repeats of commands written before the upgrade are still recognised.
  (database, transaction) => {
    const events = transaction.objectStore('events')
    if (events.indexNames.contains('command')) events.deleteIndex('command')
    const commands = ensureStore(database, transaction, 'commands', { keyPath: 'commandId' })
    if (commands.created) recordEveryCommand(events, commands.store)
  },
  // 3: no new stores. Large checkpoints and the read-model states of the compaction record may now
  // be saved in parts (indexedDbCheckpoints.ts, indexedDbHorizon.ts), which a build of version 2
  // would take for damaged records: the version tells it instead that a newer build owns the log
  // (it fails with StorageError `version-change`), and an open tab of it steps aside.
  () => undefined,
]

/** The object stores this build's layout has: a database at its version without them was made by something else. */
export const layoutStores = ['checkpoints', 'commands', 'events', 'meta', 'outbox', 'streams'] as const satisfies readonly StoreNames<ChronicleDb>[]

/** The schema version this code opens the database with. */
export const schemaVersion = migrations.length
