// Large read-model checkpoints saved in parts, in real Chromium IndexedDB: each part is written in
// a transaction of its own, a header names them, a cold start puts the state back together; saves
// racing from two stores always leave a header whose parts are all there; a missing part makes
// the checkpoint untrusted (reported, rebuilt from the log); compaction and deletion take the parts.
import { openDB } from 'idb'
import { afterEach, describe, expect, it } from 'vitest'
import { createStore, indexedDbStorage, isChronicleError, type ChronicleError, type Store } from '../index'
import { storeKeys } from './idbHarness'
import { addCard, cardMap, commands, countedTitles, moveCard, titles } from './fixtures'

const stores: Store[] = []
let counter = 0
const uniqueName = () => `parts-${Date.now()}-${counter++}`
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)))
})

/** Part size in these tests: 50 entries, so a few hundred cards make several parts. */
const storage = () => indexedDbStorage({ checkpointPartSize: 50 })

function open(name: string, projections = [cardMap, titles] as const) {
  const store = createStore({ name, commands, projections: [...projections], storage: storage(), checkpointInterval: 600_000 })
  stores.push(store)
  const errors: ChronicleError[] = []
  store.errors$.subscribe((e) => errors.push(e))
  return { store, errors }
}

/** The keys of the checkpoints object store. */
const checkpointKeys = (name: string) => storeKeys(name, 'checkpoints')

async function seed(store: Store, cards: number, from = 0) {
  await Promise.all(Array.from({ length: cards }, (_, i) => store.dispatch(addCard({ boardId: `b${(from + i) % 3}`, cardId: `c${from + i}`, title: `t${from + i}` }))))
}

const parts = (keys: readonly string[], readModel: string) => keys.filter((key) => key.startsWith(`${readModel}\0`))
const generations = (keys: readonly string[]) => new Set(keys.map((key) => key.split('\0')[1]))

describe('checkpoints saved in parts (real IndexedDB)', () => {
  it('saves a large Map and a large record in parts under one header each, and a cold start puts them back', async () => {
    const name = uniqueName()
    const { store } = open(name)
    await seed(store, 420)
    await store.dispatch(moveCard({ boardId: 'b0', cardId: 'c3', to: 'done' }))
    const expected = { cards: store.read(cardMap), titles: store.read(titles) }
    await store.checkpoint()

    const keys = await checkpointKeys(name)
    // cardMap: the small fields in one part, 420 cards in 9 parts of at most 50; titles: 9 parts.
    expect(parts(keys, 'cardMap')).toHaveLength(10)
    expect(parts(keys, 'titles')).toHaveLength(9)
    expect(keys).toEqual(expect.arrayContaining(['cardMap', 'titles']))
    await store.close()

    const { projection: counting, calls } = countedTitles()
    const { store: warm, errors } = open(name, [cardMap, counting])
    await warm.ready
    expect(calls.n).toBe(0) // nothing replayed: the checkpoint is at the head
    expect(warm.read(cardMap)).toEqual(expected.cards)
    expect([...warm.read(cardMap).cards.keys()]).toEqual([...expected.cards.cards.keys()])
    expect(warm.read(counting)).toEqual(expected.titles)
    expect(errors).toEqual([])
    // And it goes on from there.
    await warm.dispatch(addCard({ boardId: 'b0', cardId: 'new', title: 'new' }))
    expect(warm.read(cardMap).cards.get('new')).toEqual({ title: 'new', column: 'todo' })
  })

  it('a later save replaces the parts of the one before: one generation per read model stays', async () => {
    const name = uniqueName()
    const { store } = open(name)
    await seed(store, 120)
    await store.checkpoint()
    const first = await checkpointKeys(name)
    await seed(store, 80, 120)
    await store.checkpoint()
    const second = await checkpointKeys(name)
    expect(generations(parts(second, 'titles')).size).toBe(1)
    expect(generations(parts(second, 'cardMap')).size).toBe(1)
    expect(parts(second, 'titles')).toHaveLength(4) // 200 titles
    expect(parts(second, 'titles').some((key) => first.includes(key))).toBe(false)
  })

  it('the next save deletes the parts a closed or crashed save left behind', async () => {
    const name = uniqueName()
    const { store } = open(name)
    await seed(store, 120)
    await store.checkpoint()
    // Parts of a save that never wrote its header: an older generation, and one of an hour ago.
    const db = await openDB(`chronicle:${name}`)
    const old = (Date.now() - 3_600_000).toString(36).padStart(9, '0')
    await db.put('checkpoints', { name: ['titles', `${old}.abandoned`, '0'].join('\0'), part: [['x'], ['y']] })
    await db.put('checkpoints', { name: ['titles', '000000000.ancient', '0'].join('\0'), part: [['x'], ['y']] })
    db.close()
    await seed(store, 10, 120)
    await store.checkpoint()
    const keys = parts(await checkpointKeys(name), 'titles')
    expect(keys.filter((key) => key.includes('abandoned') || key.includes('ancient'))).toEqual([])
    expect(generations(keys).size).toBe(1)
  })

  it('a save keeps out of the way of a newer one under way: the stored header and its parts stay, its own parts go', async () => {
    const name = uniqueName()
    const { store } = open(name)
    await seed(store, 120)
    await store.checkpoint()
    const before = parts(await checkpointKeys(name), 'titles')
    // A part of a save that began after this one (a far-future generation) and has not finished.
    const db = await openDB(`chronicle:${name}`)
    const newer = ['titles', `${(Date.now() + 3_600_000).toString(36).padStart(9, '0')}.underway`, '0'].join('\0')
    await db.put('checkpoints', { name: newer, part: [['x'], ['y']] })
    db.close()
    await seed(store, 10, 120)
    await store.checkpoint()
    expect(parts(await checkpointKeys(name), 'titles').sort()).toEqual([...before, newer].sort())
    // cardMap had no newer save under way: it moved on.
    await store.close()
    const { store: warm, errors } = open(name)
    await warm.ready
    expect(warm.read(titles)).toMatchObject({ c129: 't129' })
    expect(errors).toEqual([])
  })

  it('two stores saving at once leave a header whose parts are all there, and no other generation', async () => {
    const name = uniqueName()
    const { store: a } = open(name)
    await seed(a, 300)
    const { store: b } = open(name)
    await b.ready
    expect(b.position).toBe(a.position)
    for (let round = 0; round < 3; round++) {
      await Promise.all([a.checkpoint(), b.checkpoint(), a.checkpoint()])
      const keys = await checkpointKeys(name)
      expect(generations(parts(keys, 'titles')).size).toBe(1)
      expect(generations(parts(keys, 'cardMap')).size).toBe(1)
    }
    const expected = a.read(titles)
    await Promise.all([a.close(), b.close()])
    const { store: warm, errors } = open(name)
    await warm.ready
    expect(warm.read(titles)).toEqual(expected)
    expect(errors).toEqual([])
  })

  it('a missing part makes the checkpoint untrusted: reported, rebuilt from the log, replaced by the next save', async () => {
    const name = uniqueName()
    const { store } = open(name)
    await seed(store, 200)
    const expected = store.read(titles)
    await store.close()
    const db = await openDB(`chronicle:${name}`)
    await db.delete('checkpoints', parts(await checkpointKeys(name), 'titles')[2]!)
    db.close()

    const { store: warm, errors } = open(name)
    await warm.ready
    expect(warm.read(titles)).toEqual(expected)
    const reports = errors.filter((e) => isChronicleError(e, 'StorageError') && e.code === 'corrupt')
    expect(reports.map((e) => e.message)).toEqual([expect.stringMatching(/"titles" cannot be trusted \(it was saved in parts, and part \d+ is missing\)/)])
    await warm.close()

    const { store: again, errors: quiet } = open(name)
    await again.ready
    expect(again.read(titles)).toEqual(expected)
    expect(quiet).toEqual([])
  })

  it('deleting a checkpoint and compacting past it take its parts too', async () => {
    const name = uniqueName()
    const { store } = open(name)
    await seed(store, 150)
    await store.close()
    const log = await storage().open(name)
    try {
      const big = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))
      await log.saveCheckpoints([
        { name: 'old', version: 1, position: 20, state: big(120), savedAt: 0 },
        { name: 'kept', version: 1, position: 150, state: big(120), savedAt: 0 },
      ])
      expect(parts(await checkpointKeys(name), 'old')).toHaveLength(3)
      await log.deleteCheckpoint('titles')
      expect(parts(await checkpointKeys(name), 'titles')).toEqual([])
      expect(parts(await checkpointKeys(name), 'cardMap').length).toBeGreaterThan(0)

      await log.compaction!.compact({ position: 100, states: {}, compactedAt: 0 }, [])
      const keys = await checkpointKeys(name)
      expect(keys.filter((key) => key === 'old' || key.startsWith('old\0'))).toEqual([])
      expect(parts(keys, 'kept')).toHaveLength(3)
      expect((await log.loadCheckpoints()).find((c) => c.name === 'kept')?.state).toEqual(big(120))
    } finally {
      log.close()
    }
  })
})
