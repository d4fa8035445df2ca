import { afterEach, describe, expect, it } from 'vitest'
import { filter, firstValueFrom } from 'rxjs'
import { createStore, indexedDbStorage, isChronicleError, type ChronicleError, type Store } from '../index'
import { indexedDbStorageWithLayout, migrations, schemaVersion, type Migration } from '../storage/indexedDb'
import { addCard, boardView, commands } from './fixtures'

const stores: Store[] = []
const connections: IDBDatabase[] = []
let counter = 0
const uniqueName = () => `upgrade-${Date.now()}-${counter++}`

/** What a newer build might add: an index over event types and an object store of its own. */
const nextStep: Migration = (database, transaction) => {
  transaction.objectStore('events').createIndex('type', 'type')
  database.createObjectStore('attachments', { keyPath: 'id' })
}
const newer = (options: { blockedTimeout?: number } = {}) => indexedDbStorageWithLayout(options, [...migrations, nextStep])

const rawOpen = (name: string, version?: number) =>
  new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(`chronicle:${name}`, version)
    request.onsuccess = () => {
      connections.push(request.result)
      resolve(request.result)
    }
    request.onerror = () => reject(request.error)
  })

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)))
  for (const connection of connections.splice(0)) connection.close()
})

describe('schema upgrades (real Chromium)', () => {
  it('a newer build upgrades the log without losing events; the open older store steps aside', async () => {
    const name = uniqueName()
    const older = createStore({ name, commands, projections: [boardView], storage: indexedDbStorage() })
    stores.push(older)
    const receipts = await Promise.all(Array.from({ length: 50 }, (_, i) => older.dispatch(addCard({ boardId: `b${i % 4}`, cardId: `c${i}`, title: 't' }))))
    const told = firstValueFrom(older.errors$.pipe(filter((e: ChronicleError) => e.code === 'version-change')))

    const log = await newer().open(name)
    const error = await told
    expect(isChronicleError(error, 'StorageError')).toBe(true)
    const events = await log.readLog(0)
    log.close()
    expect(events.map((e) => e.seq)).toEqual(receipts.map((r) => r.position).sort((a, b) => a - b))

    // The older store is closed for good and says why.
    const refused = await older.dispatch(addCard({ boardId: 'b0', cardId: 'late', title: 't' })).catch((e: unknown) => e)
    expect(isChronicleError(refused, 'StorageError') && refused.code).toBe('version-change')

    // The new layout is there, and the new index covers the events written before it existed.
    const upgraded = await rawOpen(name)
    expect(upgraded.version).toBe(schemaVersion + 1)
    expect([...upgraded.objectStoreNames]).toContain('attachments')
    const typeCount = await new Promise<number>((resolve) => {
      const request = upgraded.transaction('events').objectStore('events').index('type').count('CardAdded')
      request.onsuccess = () => resolve(request.result)
    })
    expect(typeCount).toBe(50)

    // A store of the newer build reads every event into its read models.
    const next = createStore({ name, commands, projections: [boardView], storage: newer() })
    stores.push(next)
    upgraded.close()
    await next.ready
    expect(next.read(boardView).count).toBe(50)
  })

  it('an upgrade blocked by a connection that never steps aside fails with StorageError blocked', async () => {
    const name = uniqueName()
    const seed = await indexedDbStorage().open(name)
    seed.close()
    // Another tab of an old build: it holds the database open and ignores the version change.
    const stubborn = await rawOpen(name, schemaVersion)
    const error = await newer({ blockedTimeout: 100 }).open(name).catch((e: unknown) => e)
    expect(isChronicleError(error, 'StorageError') && error.code).toBe('blocked')
    expect((error as Error).message).toMatch(/Close or reload the other tabs/)
    // Once the other tab is gone the upgrade goes through.
    stubborn.close()
    const log = await newer({ blockedTimeout: 1000 }).open(name)
    log.close()
    const reopened = await rawOpen(name)
    expect(reopened.version).toBe(schemaVersion + 1)
  })

  it('an older build refuses a database a newer build upgraded, with version-change', async () => {
    const name = uniqueName()
    ;(await newer().open(name)).close()
    const error = await indexedDbStorage().open(name).catch((e: unknown) => e)
    expect(isChronicleError(error, 'StorageError') && error.code).toBe('version-change')
  })
})
