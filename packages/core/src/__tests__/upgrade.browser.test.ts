import { afterEach, describe, expect, it } from 'vitest'
import { filter, firstValueFrom } from 'rxjs'
import { createStore, indexedDbStorage, isChronicleError, type ChronicleError, type Store } from '../index'
import { indexedDbStorageWithLayout } from '../storage/indexedDb'
import { migrations, schemaVersion, type Migration } from '../storage/indexedDbLayout'
import { addCard, boardView, commands } from './fixtures'

const stores: Store[] = []
const connections: IDBDatabase[] = []
let counter = 0
const uniqueName = () => `upgrade-${Date.now()}-${counter++}`

/** What a newer build might add: an index over event types and an object store of its own. */
const nextStep: Migration = (database, transaction) => {
  const events = transaction.objectStore('events')
  if (!events.indexNames.contains('type')) events.createIndex('type', 'type')
  if (!database.objectStoreNames.contains('attachments')) database.createObjectStore('attachments', { keyPath: 'id' })
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

describe('a database under the store name that Chronicle did not create (real Chromium)', () => {
  /** Creates `chronicle:<name>` at `version` as another library or a debug snippet would, with `setup` in its upgrade. */
  const createForeign = (name: string, version: number, setup: (database: IDBDatabase, transaction: IDBTransaction) => void = () => undefined) =>
    new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(`chronicle:${name}`, version)
      request.onupgradeneeded = () => setup(request.result, request.transaction!)
      request.onsuccess = () => {
        request.result.close()
        resolve()
      }
      request.onerror = () => reject(request.error)
    })

  it('a plain indexedDB.open (version 1, no object stores) does not keep the store from opening', async () => {
    const name = uniqueName()
    ;(await rawOpen(name)).close()
    const store = createStore({ name, commands, projections: [boardView], storage: indexedDbStorage() })
    stores.push(store)
    await store.ready
    const receipt = await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }))
    expect(receipt.position).toBe(1)
    await store.close()

    // Across a reload too: the layout is whole.
    const again = createStore({ name, commands, projections: [boardView], storage: indexedDbStorage() })
    stores.push(again)
    await again.ready
    expect(again.read(boardView).count).toBe(1)
    const upgraded = await rawOpen(name)
    expect(upgraded.version).toBe(schemaVersion)
    expect([...upgraded.objectStoreNames].sort()).toEqual(['checkpoints', 'commands', 'events', 'meta', 'outbox', 'streams'])
    expect([...upgraded.transaction('events').objectStore('events').indexNames]).toEqual(['stream'])
  })

  it('what is there stays: another library\'s records, and events of a partial layout', async () => {
    const name = uniqueName()
    await createForeign(name, 1, (database) => {
      database.createObjectStore('keyval').put('kept', 'greeting')
      // Half of version 1's layout: the events store with one event, nothing else.
      const events = database.createObjectStore('events', { keyPath: 'seq', autoIncrement: true })
      events.createIndex('stream', ['stream', 'version'], { unique: true })
      const meta = { commandId: 'first', causationId: 'first', correlationId: 'first', at: 1, origin: 'elsewhere' }
      events.add({ id: 'e1', stream: 'board-b', version: 1, type: 'CardAdded', schemaVersion: 1, payload: { cardId: 'c0', column: 'todo', title: 'kept' }, meta })
    })
    const store = createStore({ name, commands, projections: [boardView], storage: indexedDbStorage() })
    stores.push(store)
    await store.ready
    expect(store.read(boardView).count).toBe(1)
    // The event's command is recorded (as for any log written before records existed): a repeat is a duplicate.
    const repeat = await store.dispatch(addCard({ boardId: 'b', cardId: 'c0', title: 'kept' }, { commandId: 'first' }))
    expect(repeat.duplicate).toBe(true)
    const next = await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }))
    expect(next.position).toBe(2)

    const raw = await rawOpen(name)
    const greeting = await new Promise<unknown>((resolve) => {
      const request = raw.transaction('keyval').objectStore('keyval').get('greeting')
      request.onsuccess = () => resolve(request.result)
    })
    expect(greeting).toBe('kept')
  })

  it('a step that throws fails the open with a StorageError (not an uncaught error) and changes nothing', async () => {
    const name = uniqueName()
    ;(await rawOpen(name)).close()
    const failing: Migration = () => {
      throw new DOMException('step failed', 'DataError')
    }
    const error = await indexedDbStorageWithLayout({}, [...migrations, failing]).open(name).catch((e: unknown) => e)
    expect(isChronicleError(error, 'StorageError') && error.message).toMatch(new RegExp(`Upgrading the event log .* to schema version ${schemaVersion + 1} failed.*step failed`))
    const untouched = await rawOpen(name)
    expect([untouched.version, untouched.objectStoreNames.length]).toEqual([1, 0])
  })

  it('a foreign database at this build\'s version without the layout is refused with a StorageError that says what to do', async () => {
    const name = uniqueName()
    await createForeign(name, schemaVersion)
    const error = await indexedDbStorage().open(name).catch((e: unknown) => e)
    expect(isChronicleError(error, 'StorageError') && error.code).toBe('corrupt')
    expect((error as Error).message).toMatch(/deleteDatabase/)
  })
})
