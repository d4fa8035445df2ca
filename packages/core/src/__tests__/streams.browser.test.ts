// The write model's directory of streams, in real Chromium IndexedDB: a command on a stream the log
// does not hold is decided without reading it; one the store did not hear of is decided again when
// its append collides; streams whose first events compaction removed stay known; the directory is
// saved with the checkpoints, so a cold start reads only the events after it.
import { afterEach, describe, expect, it } from 'vitest'
import { createStore, indexedDbStorage, isChronicleError, type StorageBackend, type Store } from '../index'
import type { EventLogStorage } from '../storage/index'
import { expectLossesSpread } from './batchLoss'
import { addCard, boardView, commands } from './fixtures'

const stores: Store[] = []
const logs: EventLogStorage[] = []
let counter = 0
const uniqueName = () => `streams-${Date.now()}-${counter++}`

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)))
  for (const log of logs.splice(0)) log.close()
})

const open = (name: string, storage: StorageBackend = indexedDbStorage(), cachedStreams?: number) => {
  const store = createStore({ name, commands, projections: [boardView], storage, compaction: false, persist: false, ...(cachedStreams ? { cachedStreams } : {}) })
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
  /** Where each read of the log began. */
  const logReads: number[] = []
  const inner = indexedDbStorage()
  const storage: StorageBackend = {
    kind: inner.kind,
    async open(name) {
      const log = await inner.open(name)
      return {
        ...log,
        readLog: (after, range) => {
          logReads.push(after)
          return log.readLog(after, range)
        },
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
  return { storage, read, logReads }
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
    // A write model of one stream: 'old' is not among the states it saves.
    const seed = open(name, indexedDbStorage(), 1)
    await seed.dispatch(add('old', 'c1'))
    await seed.dispatch(add('other', 'c1'))
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

  it('a stream compaction emptied stays known: a store that never saw its events reads its snapshot', async () => {
    const name = uniqueName()
    const store = open(name)
    await store.dispatch(add('gone', 'c1'))
    await store.dispatch(add('gone', 'c2'))
    await store.dispatch(add('kept', 'c1'))
    await store.compact({ before: 3 })
    await store.close()
    // Without the saved directory too: the compacted streams are listed from their snapshots.
    for (const withSaved of [true, false]) {
      if (!withSaved) await deleteSavedDirectory(name)
      const next = open(name)
      await directoryRead(next)
      const refused = await next.dispatch(add('gone', `c${withSaved ? 1 : 2}`)).catch((e: unknown) => e)
      expect(isChronicleError(refused, 'RuleViolation') && refused.code).toBe('card-exists')
      await next.dispatch(add('gone', withSaved ? 'c3' : 'c4'))
      await next.close()
    }
    const log = await openLog(name)
    expect((await log.readStream('board-gone', 0)).map((e) => e.version)).toEqual([3, 4])
  })

  it('a stream another tab created and compacted away is known: this tab reads its snapshot', async () => {
    const name = uniqueName()
    const mine = open(name)
    await directoryRead(mine)
    // The other tab creates the stream and compacts it away; this tab hears of both (the
    // announcement of the compaction makes it read its directory again).
    const other = open(name)
    await other.dispatch(add('theirs', 'c1'))
    await other.dispatch(add('other', 'c1'))
    await other.compact({ before: 2 })
    await directoryRead(mine)
    const refused = await mine.dispatch(add('theirs', 'c1')).catch((e: unknown) => e)
    expect(isChronicleError(refused, 'RuleViolation') && refused.code).toBe('card-exists')
    await mine.dispatch(add('theirs', 'c2'))
    expect((await mine.log()).filter((e) => e.stream === 'board-theirs').map((e) => e.version)).toEqual([2])
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
    expect((await log.streams!.compactedStreams()).sort()).toEqual(['board-a', 'board-b'])
  })

  it('saves the directory with the checkpoints: a cold start reads only the events after it', async () => {
    const name = uniqueName()
    const store = open(name)
    for (let i = 0; i < 20; i++) await store.dispatch(add(`b${i}`, 'c1'))
    await store.close()
    const saved = await (await openLog(name)).streams!.loadDirectory()
    expect(saved?.position).toBe(20)
    expect(saved?.hashes.length).toBe(20)
    expect(saved?.states?.map((s) => [s.stream, s.version])).toEqual(Array.from({ length: 20 }, (_, i) => [`board-b${i}`, 1]))

    const { storage, read, logReads } = countingStorage()
    const next = open(name, storage)
    await directoryRead(next)
    // The read models start from their checkpoints and the directory from its record: nothing before them is read.
    expect(logReads.length).toBeGreaterThan(0)
    expect(logReads.filter((after) => after !== 20)).toEqual([])
    const refused = await next.dispatch(add('b7', 'c1')).catch((e: unknown) => e)
    expect(isChronicleError(refused, 'RuleViolation') && refused.code).toBe('card-exists')
    await next.dispatch(add('new', 'c1'))
    // b7's state came back with the directory: only the refusal is confirmed against the log.
    expect(read).toEqual(['board-b7'])
  })

  it('a saved state whose stream was written after the save is read again; one of changed code is not taken back', async () => {
    const name = uniqueName()
    const store = open(name)
    await store.dispatch(add('a', 'c1'))
    await store.dispatch(add('b', 'c1'))
    await store.close()
    // Another writer appends to board-a after the save, without telling anyone.
    const other = await openLog(name)
    await other.append([
      { commandId: 'other', stream: 'board-a', expectedVersion: 1, idempotent: false, events: [{ id: 'e9', stream: 'board-a', version: 2, type: 'CardAdded', schemaVersion: 1, payload: { cardId: 'c2', column: 'todo', title: 'theirs' }, meta: { commandId: 'other', causationId: 'other', correlationId: 'other', at: 1, origin: 'other' } }] },
    ])
    const { storage, read } = countingStorage()
    const next = open(name, storage)
    await directoryRead(next)
    const refused = await next.dispatch(add('a', 'c2')).catch((e: unknown) => e)
    expect(isChronicleError(refused, 'RuleViolation') && refused.code).toBe('card-exists')
    await next.dispatch(add('b', 'c2'))
    // board-a is read (and the refusal confirmed); board-b's saved state is used as it is.
    expect(read).toEqual(['board-a', 'board-a'])
    await next.close()

    // The same aggregate folded by other code (a deploy changed evolve): its saved states are not used.
    const changed = commands.map((command) => ({ ...command, aggregate: { ...command.aggregate, evolve: { ...command.aggregate.evolve, CardRenamed: () => undefined } } })) as unknown as typeof commands
    const counted = countingStorage()
    const redeployed = createStore({ name, commands: changed, projections: [boardView], storage: counted.storage, compaction: false, persist: false })
    stores.push(redeployed)
    await directoryRead(redeployed)
    await redeployed.dispatch(add('b', 'c3'))
    expect(counted.read).toEqual(['board-b'])
  })
})

/** Deletes the stream directory a store saved, as if it never had. */
async function deleteSavedDirectory(name: string): Promise<void> {
  const raw = await request(indexedDB.open(`chronicle:${name}`))
  const tx = raw.transaction('meta', 'readwrite')
  tx.objectStore('meta').delete('streams')
  await new Promise((resolve) => (tx.oncomplete = resolve))
  raw.close()
}

describe('a batch that loses a command on a stream (real Chromium IndexedDB)', () => {
  it('conflicts the later commands of the batch on that stream', async () => {
    await expectLossesSpread(await openLog(uniqueName()))
  })
})
