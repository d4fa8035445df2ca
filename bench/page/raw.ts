// The baseline: the same events written and read with nothing but `idb`, in a database of the
// same layout as Chronicle's event log (an auto-incremented `seq` key).
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { EventEnvelope } from '@chronicle/core'
import { boards } from './domain'

/** An event as the baseline stores it: Chronicle's envelope without the `seq` the database assigns. */
export type RawEvent = Omit<EventEnvelope, 'seq'>

interface RawDb extends DBSchema {
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
 * The i-th event of the workload as a plain envelope, shaped like what Chronicle writes for
 * `commandAt(i)` (same fields, same payload sizes, fresh ids).
 */
export function rawEventAt(i: number, origin: string): RawEvent {
  const commandId = crypto.randomUUID()
  const meta = { commandId, causationId: commandId, correlationId: commandId, at: Date.now(), origin }
  const version = Math.floor(i / boards) + 1
  if (i % 5 === 4) {
    const board = `b${(i - 1) % boards}`
    return { id: crypto.randomUUID(), stream: `board-${board}`, version, type: 'CardMoved', schemaVersion: 1, payload: { cardId: `c${i - 1}`, board, from: 'todo', to: 'done' }, meta }
  }
  const board = `b${i % boards}`
  return { id: crypto.randomUUID(), stream: `board-${board}`, version, type: 'CardAdded', schemaVersion: 1, payload: { cardId: `c${i}`, board, column: 'todo', title: `Card number ${i}` }, meta }
}

/** Deletes a database, whoever made it. */
export async function dropDatabase(name: string): Promise<void> {
  await deleteDB(name)
}
