// The write model's view of which streams exist, in real Chromium IndexedDB (schema 4): every
// stream has a record in `streams`, a command on a stream the store does not know is decided
// without reading it, and the append that creates a stream fails if the stream exists after all,
// also when compaction removed all of its events.
import { afterEach, describe, expect, it } from 'vitest'
import { createStore, indexedDbStorage, isChronicleError, type StorageBackend, type Store } from '../index'
import type { EventLogStorage } from '../storage/index'
import { indexedDbStorageWithLayout } from '../storage/indexedDb'
import { migrations } from '../storage/indexedDbLayout'
import { addCard, boardView, commands } from './fixtures'

const stores: Store[] = []
const logs: EventLogStorage[] = []
let counter = 0
const uniqueName = () => `streams-${Date.now()}-${counter++}`

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)))
  for (const log of logs.splice(0)) log.close()
})

const open = (name: string, storage: StorageBackend = indexedDbStorage()) => {
  const store = createStore({ name, commands, projections: [boardView], storage, compaction: false, persist: false })
  stores.push(store)
  return store
}
const openLog = async (name: string, storage: StorageBackend = indexedDbStorage()) => {
  const log = await storage.open(name)
  logs.push(log)
  return log
}
const add = (boardId: string, cardId: string) => addCard({ boardId, cardId, title: cardId })

/** IndexedDB storage that records which streams the write model reads (one at a time or several at once). */
function countingStorage() {
  const read: string[] = []
  const inner = indexedDbStorage()
  const storage: StorageBackend = {
    kind: inner.kind,
    async open(name) {
      const log = await inner.open(name)
      return {
        ...log,
        readStream: (stream, after) => {
          read.push(stream)
          return log.readStream(stream, after)
        },
        streams: {
          ...log.streams!,
          readStreams: (streams) => {
            read.push(...streams)
            return log.streams!.readStreams(streams)
          },
        },
      }
    },
  }
  return { storage, read }
}

/** Resolves once the store's write model has read the log's streams (it does so after `ready`, in the background). */
async function directoryRead(store: Store): Promise<void> {
  await store.ready
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setTimeout(resolve, 10))
}

/** A raw request as a promise. */
const request = <T>(r: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })

describe('streams the log holds (real Chromium)', () => {
  it('decides a command on a new stream without reading the log; a stream the log holds is read once', async () => {
    const name = uniqueName()
    const seed = open(name)
    await seed.dispatch(add('old', 'c1'))
    await seed.close()
    const { storage, read } = countingStorage()
    const store = open(name, storage)
    await directoryRead(store)
    await store.dispatch(add('new', 'c1'))
    expect(read).toEqual([])
    await store.dispatch(add('old', 'c2'))
    expect(read).toEqual(['board-old'])
    // The read found c1, written by the earlier store.
    const refused = await store.dispatch(add('old', 'c1')).catch((e: unknown) => e)
    expect(isChronicleError(refused, 'RuleViolation') && refused.code).toBe('card-exists')
    // A refusal decided on a cached state is confirmed against the log: one read of what follows it.
    expect(read).toEqual(['board-old', 'board-old'])
  })

  it('a stream another writer created unseen: the append conflicts, the command is decided again on what the log holds', async () => {
    const name = uniqueName()
    const store = open(name)
    await directoryRead(store)
    // Another writer that does not tell the store's tabs: the store cannot know the stream exists.
    const other = await openLog(name)
    const [created] = await other.append([
      { commandId: 'other', stream: 'board-x', expectedVersion: 0, idempotent: false, events: [{ id: 'e1', stream: 'board-x', version: 1, type: 'CardAdded', schemaVersion: 1, payload: { cardId: 'c1', column: 'todo', title: 'theirs' }, meta: { commandId: 'other', causationId: 'other', correlationId: 'other', at: 1, origin: 'other' } }] },
    ])
    expect(created!.status).toBe('ok')
    const refused = await store.dispatch(add('x', 'c1')).catch((e: unknown) => e)
    expect(isChronicleError(refused, 'RuleViolation') && refused.code).toBe('card-exists')
    await store.dispatch(add('x', 'c2'))
    const events = (await store.log()).filter((e) => e.stream === 'board-x')
    expect(events.map((e) => [e.version, (e.payload as { cardId: string }).cardId])).toEqual([
      [1, 'c1'],
      [2, 'c2'],
    ])
  })

  it('an append at version 0 to a stream compaction emptied conflicts: its snapshot is its record', async () => {
    const name = uniqueName()
    const store = open(name)
    await store.dispatch(add('gone', 'c1'))
    await store.dispatch(add('gone', 'c2'))
    await store.dispatch(add('kept', 'c1'))
    await store.compact({ before: 3 })
    const log = await openLog(name)
    expect(await log.readStream('board-gone', 0)).toEqual([])
    const [outcome] = await log.append([
      { commandId: 'late', stream: 'board-gone', expectedVersion: 0, idempotent: false, events: [{ id: 'e9', stream: 'board-gone', version: 1, type: 'CardAdded', schemaVersion: 1, payload: { cardId: 'c1', column: 'todo', title: 'again' }, meta: { commandId: 'late', causationId: 'late', correlationId: 'late', at: 1, origin: 'x' } }] },
    ])
    expect(outcome).toEqual({ status: 'conflict', actualVersion: 2 })
    expect(await log.readStream('board-gone', 0)).toEqual([])
    // A fresh store decides on the snapshot: c1 exists, versions go on from 2.
    await store.close()
    const next = open(name)
    await directoryRead(next)
    const refused = await next.dispatch(add('gone', 'c1')).catch((e: unknown) => e)
    expect(isChronicleError(refused, 'RuleViolation') && refused.code).toBe('card-exists')
    await next.dispatch(add('gone', 'c3'))
    expect((await next.log()).filter((e) => e.stream === 'board-gone').map((e) => e.version)).toEqual([3])
  })

  it('reads several streams in one transaction, each with its snapshot and the events after it', async () => {
    const name = uniqueName()
    const store = open(name)
    for (const board of ['a', 'b', 'c']) await store.dispatch(add(board, 'c1'))
    await store.dispatch(add('a', 'c2'))
    await store.compact({ before: 3 })
    await store.close()
    const log = await openLog(name)
    const found = await log.streams!.readStreams(['board-a', 'board-b', 'board-c', 'board-none'])
    expect([...found.keys()]).toEqual(['board-a', 'board-b', 'board-c', 'board-none'])
    expect(found.get('board-a')!.snapshot?.version).toBe(1)
    expect(found.get('board-a')!.events.map((e) => e.version)).toEqual([2])
    expect(found.get('board-b')!.snapshot?.version).toBe(1)
    expect(found.get('board-b')!.events).toEqual([])
    expect(found.get('board-c')!.snapshot).toBeUndefined()
    expect(found.get('board-c')!.events.map((e) => e.version)).toEqual([1])
    expect(found.get('board-none')).toEqual({ snapshot: undefined, events: [] })
    expect((await log.streams!.streamIds()).sort()).toEqual(['board-a', 'board-b', 'board-c'])
  })

  it('upgrading a version-3 log gives every stream its record and keeps the compaction snapshots', async () => {
    const name = uniqueName()
    const old = open(name, indexedDbStorageWithLayout({}, migrations.slice(0, 3)))
    for (const board of ['a', 'b', 'c', 'd']) await old.dispatch(add(board, 'c1'))
    await old.dispatch(add('a', 'c2'))
    await old.compact({ before: 2 })
    await old.close()
    // As a version-3 build left it: compaction snapshots only, no markers.
    const raw = await request(indexedDB.open(`chronicle:${name}`))
    const tx = raw.transaction('streams', 'readwrite')
    for (const record of await request(tx.objectStore('streams').getAll())) if (!('aggregate' in record)) tx.objectStore('streams').delete(record.stream)
    await new Promise((resolve) => (tx.oncomplete = resolve))
    expect(await request(raw.transaction('streams').objectStore('streams').getAllKeys())).toEqual(['board-a'])
    raw.close()

    const log = await openLog(name)
    expect((await log.streams!.streamIds()).sort()).toEqual(['board-a', 'board-b', 'board-c', 'board-d'])
    expect((await log.compaction!.loadStreamSnapshot('board-a'))?.version).toBe(1)
    expect(await log.compaction!.loadStreamSnapshot('board-b')).toBeUndefined()
    log.close()
    logs.splice(0)
    // And the upgraded log works: a store knows every stream, and creating one of them again is refused.
    const store = open(name)
    await directoryRead(store)
    const refused = await store.dispatch(add('d', 'c1')).catch((e: unknown) => e)
    expect(isChronicleError(refused, 'RuleViolation') && refused.code).toBe('card-exists')
  })
})
