// The baseline: the same events written and read with nothing but `idb`, in a database of the
// same layout as Chronicle's event log (an auto-incremented `seq` key).
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { EventEnvelope } from '@chronicle/core'
import { boards } from './domain'

/** An event as the baseline stores it: Chronicle's envelope without the `seq` the database assigns. */
export type RawEvent = Omit<EventEnvelope, 'seq'>

/** The baseline database's layout. */
export interface RawDb extends DBSchema {
  events: { key: number; value: RawEvent }
}

/** Opens (creating it) a baseline database: one object store with an auto-incremented key. */
export function openRaw(name: string): Promise<IDBPDatabase<RawDb>> {
  return openDB<RawDb>(name, 1, {
    upgrade(db) {
      db.createObjectStore('events', { keyPath: 'seq', autoIncrement: true })
    },
  })
}

/**
 * A source of the workload's events as plain envelopes, shaped like what Chronicle writes for
 * `commandAt(i)`: same fields, same payload sizes, fresh ids, and stream versions that count up
 * per stream as the log's would.
 */
export function rawEvents(): (i: number) => RawEvent {
  const origin = crypto.randomUUID()
  const versions = new Map<string, number>()
  return (i) => {
    const commandId = crypto.randomUUID()
    const meta = { commandId, causationId: commandId, correlationId: commandId, at: Date.now(), origin }
    const moving = i % 5 === 4
    const board = `b${(moving ? i - 1 : i) % boards}`
    const stream = `board-${board}`
    const version = (versions.get(stream) ?? 0) + 1
    versions.set(stream, version)
    const payload = moving ? { cardId: `c${i - 1}`, board, from: 'todo', to: 'done' } : { cardId: `c${i}`, board, column: 'todo', title: `Card number ${i}` }
    return { id: crypto.randomUUID(), stream, version, type: moving ? 'CardMoved' : 'CardAdded', schemaVersion: 1, payload, meta }
  }
}

/** Deletes a database, whoever made it. */
export async function dropDatabase(name: string): Promise<void> {
  await deleteDB(name)
}
