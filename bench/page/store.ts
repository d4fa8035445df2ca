import { createStore, indexedDbStorage, type AnyProjectionDefinition, type Store, type StoreOptions } from '@chronicle/core'
import { commandAt, commands, projections } from './domain'

/** The IndexedDB database a Chronicle store named `name` writes. */
export const chronicleDbName = (name: string) => `chronicle:${name}`

/** A store over the benchmark domain (its read models, or `over`), with Chronicle's defaults (or `options`). */
export function openStore(name: string, over: readonly AnyProjectionDefinition[] = projections, options: Partial<StoreOptions> = {}): Store {
  return createStore({ name, commands, projections: over, storage: indexedDbStorage(), persist: false, ...options })
}

/**
 * Opens a store, runs `work` with it and closes it, also when `work` throws: a connection left
 * open would block deleting the database afterwards.
 */
export async function usingStore<T>(name: string, work: (store: Store) => Promise<T>, over?: readonly AnyProjectionDefinition[], options?: Partial<StoreOptions>): Promise<T> {
  const store = openStore(name, over, options)
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}

/** Like `usingStore`, for a raw `idb` connection. */
export async function usingDb<D extends { close(): void }, T>(opening: Promise<D>, work: (db: D) => Promise<T>): Promise<T> {
  const db = await opening
  try {
    return await work(db)
  } finally {
    db.close()
  }
}

/**
 * Writes the workload's commands `from` to `to` (exclusive) through the store, in bursts that the
 * store group-commits, so the log holds exactly what Chronicle writes.
 */
export async function dispatchBursts(store: Store, from: number, to: number, burst = 5000): Promise<void> {
  for (let start = from; start < to; start += burst) {
    const end = Math.min(to, start + burst)
    const receipts = []
    for (let i = start; i < end; i++) receipts.push(store.dispatch(commandAt(i)))
    await Promise.all(receipts)
  }
}

/** Throws unless `actual` equals `expected`: a scenario that did not do its work must not report a time. */
export function check(what: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) throw new Error(`Benchmark check failed: ${what} is ${String(actual)}, expected ${String(expected)}`)
}
