// Shared by the IndexedDB browser tests: stores on fresh databases, closed after each test, and a
// look at the raw log over a connection of its own.
import { openDB } from 'idb'
import { afterEach } from 'vitest'
import { createStore, indexedDbStorage, type Store } from '../index'
import { boardView, commands } from './fixtures'

export function idbHarness(prefix: string) {
  const stores: Store[] = []
  let counter = 0
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)))
  })
  return {
    stores,
    uniqueName: () => `${prefix}-${Date.now()}-${counter++}`,
    open(name: string) {
      const store = createStore({ name, commands, projections: [boardView], storage: indexedDbStorage() })
      stores.push(store)
      return store
    },
    async readAll(name: string) {
      const log = await indexedDbStorage().open(name)
      try {
        return await log.readLog(0)
      } finally {
        log.close()
      }
    },
  }
}

/** The keys of one object store of a store's database, read over a connection of its own. */
export async function storeKeys(name: string, objectStore: 'checkpoints' | 'meta'): Promise<string[]> {
  const db = await openDB(`chronicle:${name}`)
  try {
    return (await db.getAllKeys(objectStore)).map(String)
  } finally {
    db.close()
  }
}
