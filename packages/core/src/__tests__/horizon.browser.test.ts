// The compaction record in real Chromium IndexedDB: the read-model states at the horizon are
// stored in parts beside a small record, so a cold start reads only the position and the states
// wait until a read model must start again from the horizon (or history reaches back to it).
import { openDB } from 'idb'
import { afterEach, describe, expect, it } from 'vitest'
import { createStore, indexedDbStorage, isChronicleError, type StorageBackend, type Store } from '../index'
import { type EventLogStorage, type Horizon } from '../storage/index'
import { addCard, boardView, commands, titles } from './fixtures'
import { storeKeys } from './idbHarness'

const stores: Store[] = []
let counter = 0
const uniqueName = () => `horizon-${Date.now()}-${counter++}`
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)))
})

/** IndexedDB storage (parts of 10 entries) that counts how often the horizon's states are read. */
function countingStorage(): { storage: StorageBackend; reads: { n: number } } {
  const inner = indexedDbStorage({ checkpointPartSize: 10 })
  const reads = { n: 0 }
  const storage: StorageBackend = {
    kind: 'indexeddb',
    async open(name) {
      const log = await inner.open(name)
      const compaction = log.compaction!
      const counted: EventLogStorage = {
        ...log,
        compaction: {
          ...compaction,
          loadHorizonStates: async (position) => {
            reads.n++
            return compaction.loadHorizonStates(position)
          },
        },
      }
      return counted
    },
  }
  return { storage, reads }
}

function open(name: string, storage: StorageBackend = indexedDbStorage({ checkpointPartSize: 10 })) {
  const store = createStore({ name, commands, projections: [boardView, titles], storage, checkpointInterval: 600_000, compaction: false })
  stores.push(store)
  return store
}

const metaKeys = (name: string) => storeKeys(name, 'meta')
const generationsOf = (keys: readonly string[]) => new Set(keys.filter((key) => key.startsWith('horizon\0')).map((key) => key.split('\0')[1]))

/** 60 cards over three boards, compacted before 30 and then before 50 (horizon 49). */
async function seedCompacted(name: string) {
  const store = open(name)
  for (let i = 0; i < 60; i++) await store.dispatch(addCard({ boardId: `b${i % 3}`, cardId: `c${i}`, title: `t${i}` }))
  await store.compact({ before: 30 })
  const first = generationsOf(await metaKeys(name))
  await store.compact({ before: 50 })
  const atHorizon = await store.stateAt(titles, 49)
  const expected = { board: store.read(boardView), titles: store.read(titles), atHorizon }
  await store.close()
  return { expected, first }
}

describe('the compaction record (real IndexedDB)', () => {
  it('keeps the states in parts of one generation beside a record that holds no state', async () => {
    const name = uniqueName()
    const { expected, first } = await seedCompacted(name)
    const keys = await metaKeys(name)
    const now = generationsOf(keys)
    expect(now.size).toBe(1)
    expect([...now][0]).not.toBe([...first][0])
    // titles at the horizon holds 49 titles: 5 parts of 10; boardView one part.
    expect(keys.filter((key) => key.startsWith('horizon\0'))).toHaveLength(6)
    const db = await openDB(`chronicle:${name}`)
    const record = (await db.get('meta', 'horizon')) as Record<string, unknown>
    db.close()
    expect(record).toMatchObject({ position: 49 })
    expect(record).not.toHaveProperty('states')
    expect(Object.keys(expected.atHorizon)).toHaveLength(49)
  })

  it('a cold start reads the states only when a read model must start again from the horizon, or history reaches it', async () => {
    const name = uniqueName()
    const { expected } = await seedCompacted(name)
    const { storage, reads } = countingStorage()
    const warm = open(name, storage)
    await warm.ready
    expect(reads.n).toBe(0)
    expect(warm.read(titles)).toEqual(expected.titles)
    expect(await warm.stateAt(titles, 49)).toEqual(expected.atHorizon)
    expect(await warm.stateAt(titles, 52)).toMatchObject({ c50: 't50', c51: 't51' })
    expect(reads.n).toBe(1)
    await warm.close()

    // Without checkpoints, every read model starts again from the horizon: one read of the states.
    const log = await indexedDbStorage().open(name)
    await log.deleteCheckpoint('titles')
    await log.deleteCheckpoint('boardView')
    log.close()
    const { storage: again, reads: rebuilds } = countingStorage()
    const rebuilt = open(name, again)
    await rebuilt.ready
    expect(rebuilds.n).toBe(1)
    expect(rebuilt.read(titles)).toEqual(expected.titles)
    expect(rebuilt.read(boardView)).toEqual(expected.board)
  })

  it('a missing part of the states makes the store refuse to open with StorageError corrupt', async () => {
    const name = uniqueName()
    await seedCompacted(name)
    const db = await openDB(`chronicle:${name}`)
    const part = (await db.getAllKeys('meta')).map(String).find((key) => key.startsWith('horizon\0'))!
    await db.delete('meta', part)
    db.close()
    const store = open(name)
    const failure = await store.ready.then(() => undefined, (e: unknown) => e)
    expect(isChronicleError(failure, 'StorageError') && failure.code).toBe('corrupt')
    expect((failure as Error).message).toMatch(/compaction record of this log cannot be trusted \(1 of the 6 parts of its read-model states are missing\)/)
  })

  it('still reads a record that holds its states itself (written before the states went into parts)', async () => {
    const name = uniqueName()
    const { expected } = await seedCompacted(name)
    const log = await indexedDbStorage().open(name)
    const states = (await log.compaction!.loadHorizonStates(49)) as Horizon['states']
    await log.deleteCheckpoint('titles')
    await log.deleteCheckpoint('boardView')
    log.close()
    const db = await openDB(`chronicle:${name}`)
    for (const key of await db.getAllKeys('meta')) if (String(key).startsWith('horizon\0')) await db.delete('meta', key)
    await db.put('meta', { position: 49, states, compactedAt: 0 }, 'horizon')
    db.close()
    const store = open(name)
    await store.ready
    expect(store.read(titles)).toEqual(expected.titles)
    expect(store.read(boardView)).toEqual(expected.board)
    // The next compaction writes the new form and leaves no old states behind.
    await store.dispatch(addCard({ boardId: 'b0', cardId: 'late', title: 'late' }))
    await store.compact({ before: 55 })
    expect(generationsOf(await metaKeys(name)).size).toBe(1)
  })
})
