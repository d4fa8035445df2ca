import type { DBSchema } from 'idb'
import type { EventEnvelope } from '../event'
import type { CheckpointRecord } from './indexedDbCheckpoints'
import type { PendingCommand, StreamSnapshot } from './storage'

/**
 * Where a command's events are in the log: `first` and `last` are the positions of its first and
 * last event. Kept for the commands whose repeats must be recognised (see `migrations`, step 2).
 */
export interface CommandRecord {
  readonly commandId: string
  readonly first: number
  readonly last: number
}

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

/**
 * One step of the database layout: `migrations[i]` takes a database from version `i` to `i + 1`,
 * inside the `versionchange` transaction of the open that upgrades it. Steps only add (object
 * stores, indexes), drop indexes, or write records derived from the events; none may drop events.
 */
export type Migration = (database: IDBDatabase, transaction: IDBTransaction) => void

/** Events read per request when a step reads the whole log. */
const pageSize = 10_000

/** The database layout, one step per schema version. Append new steps; never change old ones. */
export const migrations: readonly Migration[] = [
  // 1: the event log (auto-incremented seq, unique [stream, version], commandId), checkpoints,
  // compaction snapshots of streams, the sync outbox, meta.
  (database) => {
    const events = database.createObjectStore('events', { keyPath: 'seq', autoIncrement: true })
    events.createIndex('stream', ['stream', 'version'], { unique: true })
    events.createIndex('command', 'meta.commandId')
    database.createObjectStore('checkpoints', { keyPath: 'name' })
    database.createObjectStore('streams', { keyPath: 'stream' })
    database.createObjectStore('outbox', { keyPath: 'commandId' }).createIndex('order', 'order', { unique: true })
    database.createObjectStore('meta')
  },
  // 2: the commandId index goes: every append paid for it (~7% of a one-event transaction in
  // Chromium 156), while only commands with an explicit commandId need to be found again. Those
  // get a record in `commands` (CommandRecord), written in the transaction that appends their
  // events. Which commands of the existing log had an explicit id is not known, so every one gets
  // its record: repeats of commands written before the upgrade are still recognised.
  (database, transaction) => {
    const events = transaction.objectStore('events')
    events.deleteIndex('command')
    const commands = database.createObjectStore('commands', { keyPath: 'commandId' })
    const ranges = new Map<string, { first: number; last: number }>()
    const readPage = (after: number) => {
      const request = events.getAll(IDBKeyRange.lowerBound(after, true), pageSize)
      request.onsuccess = () => {
        const page = request.result as EventEnvelope[]
        for (const event of page) {
          // A damaged record must not fail the upgrade (an exception here would abort it).
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
  },
  // 3: no new stores. Large checkpoints and the read-model states of the compaction record may now
  // be saved in parts (indexedDbCheckpoints.ts, indexedDbHorizon.ts), which a build of version 2
  // would take for damaged records: the version tells it instead that a newer build owns the log
  // (it fails with StorageError `version-change`), and an open tab of it steps aside.
  () => undefined,
]

/** The schema version this code opens the database with. */
export const schemaVersion = migrations.length
