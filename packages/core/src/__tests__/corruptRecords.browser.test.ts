// Damaged records in real Chromium IndexedDB, written over the store's own with a raw connection:
// a read-model checkpoint the store cannot trust is discarded and that read model rebuilt from the
// log (reported on errors$, never shown); a damaged compaction snapshot makes its stream refuse
// commands with StorageError `corrupt` while every other stream works. The log never changes.
import { openDB } from 'idb'
import { describe, expect, it } from 'vitest'
import { createStore, indexedDbStorage, isChronicleError, type ChronicleError, type Store } from '../index'
import { idbHarness } from './idbHarness'
import { addCard, boardView, commands, titles } from './fixtures'

const { stores, uniqueName, readAll } = idbHarness('corrupt')

/** Overwrites (or adds) one record of an object store of the store's database, bypassing Chronicle. */
async function putRaw(name: string, objectStore: 'checkpoints' | 'streams', record: unknown) {
  const db = await openDB(`chronicle:${name}`)
  await db.put(objectStore, record)
  db.close()
}

function open(name: string, options: { checkpointInterval?: number } = {}) {
  const store = createStore({ name, commands, projections: [boardView, titles], storage: indexedDbStorage(), ...options })
  stores.push(store)
  const errors: ChronicleError[] = []
  store.errors$.subscribe((e) => errors.push(e))
  return { store, errors }
}

/** Six cards over two boards; closing saves both checkpoints at the head (6). */
async function seed(name: string) {
  const { store } = open(name)
  for (let i = 0; i < 6; i++) await store.dispatch(addCard({ boardId: `b${i % 2}`, cardId: `c${i}`, title: `t${i}` }))
  const expected = { board: store.read(boardView), titles: store.read(titles) }
  await store.close()
  return { expected, log: await readAll(name) }
}

const corrupt = (errors: readonly ChronicleError[]) => errors.filter((e) => isChronicleError(e, 'StorageError') && e.code === 'corrupt').map((e) => e.message)

describe('damaged read-model checkpoints (real IndexedDB)', () => {
  const damaged: [string, Record<string, unknown>, RegExp][] = [
    ['a state that is not an object, at the head (no tail to fail on)', { name: 'boardView', version: 1, position: 6, state: 'garbage', savedAt: 0 }, /state is string "garbage" where Object was expected/],
    ['a state missing a field the projection needs', { name: 'boardView', version: 1, position: 6, state: { count: 6 }, savedAt: 0 }, /state\.columns is missing|state\.columns is undefined/],
    ['a field of another kind', { name: 'boardView', version: 1, position: 6, state: { columns: [], count: 6 }, savedAt: 0 }, /state\.columns is array where Object was expected/],
    ['a position beyond the log head', { name: 'boardView', version: 1, position: 1_000_000, state: { columns: {}, count: 0 }, savedAt: 0 }, /position 1000000 lies outside the log \(0 to 6\)/],
    ['a position that is not a number', { name: 'boardView', version: 1, position: 'six', state: { columns: {}, count: 0 }, savedAt: 0 }, /position is string "six"/],
    ['a record with nothing but its name', { name: 'boardView' }, /version is undefined/],
    ['a state the handlers cannot continue from', { name: 'boardView', version: 1, position: 3, state: { columns: { todo: 'not a list' }, count: 3 }, savedAt: 0 }, /handlers failed on its state at event 4/],
  ]

  for (const [what, record, reason] of damaged) {
    it(`${what}: discarded, reported, the read model rebuilt from the log`, async () => {
      const name = uniqueName()
      const { expected, log } = await seed(name)
      await putRaw(name, 'checkpoints', record)
      const { store, errors } = open(name)
      await store.ready
      expect(corrupt(errors)).toHaveLength(1)
      expect(corrupt(errors)[0]).toMatch(/checkpoint of read model "boardView" cannot be trusted/)
      expect(corrupt(errors)[0]).toMatch(reason)
      expect(errors).toHaveLength(1)
      expect(store.read(boardView)).toEqual(expected.board)
      expect(store.read(titles)).toEqual(expected.titles)
      // Nothing of the log changed, and the store works on.
      expect(await readAll(name)).toEqual(log)
      await store.dispatch(addCard({ boardId: 'b0', cardId: 'c6', title: 't6' }))
      expect(store.read(boardView).count).toBe(7)
      // Its next checkpoint replaces the damaged record: the following start is quiet.
      await store.close()
      const { store: again, errors: quiet } = open(name)
      await again.ready
      expect(quiet).toEqual([])
      expect(again.read(boardView).count).toBe(7)
    })
  }

  it('a checkpoint of another projection version is rebuilt without a report (how a changed projection asks for it)', async () => {
    const name = uniqueName()
    const { expected } = await seed(name)
    await putRaw(name, 'checkpoints', { name: 'boardView', version: 7, position: 6, state: 'whatever version 7 kept', savedAt: 0 })
    const { store, errors } = open(name)
    await store.ready
    expect(errors).toEqual([])
    expect(store.read(boardView)).toEqual(expected.board)
  })
})

describe('a damaged compaction snapshot of a stream (real IndexedDB)', () => {
  it('refuses commands on that stream with StorageError corrupt; the other streams and the read models work', async () => {
    const name = uniqueName()
    const { store } = open(name)
    for (let i = 0; i < 6; i++) await store.dispatch(addCard({ boardId: `b${i % 2}`, cardId: `c${i}`, title: `t${i}` }))
    await store.compact({ before: 7 })
    const board = store.read(boardView)
    await store.close()
    // The events of board-b0 are gone; its snapshot is all that is left of them (the write model's
    // saved states go too, so the stream must be read).
    await putRaw(name, 'streams', { stream: 'board-b0', aggregate: 'board', version: 3, state: { cards: 'lost' } })
    const db = await openDB(`chronicle:${name}`)
    await db.delete('meta', 'streams')
    db.close()
    let reopened: Store
    {
      const { store: s, errors } = open(name)
      reopened = s
      await reopened.ready
      expect(errors).toEqual([])
    }
    expect(reopened.read(boardView)).toEqual(board)
    const refused = await reopened.dispatch(addCard({ boardId: 'b0', cardId: 'c9', title: 'on the damaged stream' })).catch((e: unknown) => e)
    expect(isChronicleError(refused, 'StorageError') && refused.code).toBe('corrupt')
    expect((refused as Error).message).toMatch(/compaction snapshot of stream "board-b0" cannot be trusted \(state\.cards is string "lost" where Object was expected\)/)
    // Asked again, it says the same: it never decides on the damaged state.
    await expect(reopened.dispatch(addCard({ boardId: 'b0', cardId: 'c10', title: 'again' }))).rejects.toMatchObject({ name: 'StorageError', code: 'corrupt' })
    await expect(reopened.dispatch(addCard({ boardId: 'b1', cardId: 'c11', title: 'elsewhere' }))).resolves.toMatchObject({ eventCount: 1 })
    expect(reopened.read(boardView).count).toBe(7)
  })
})

describe('a damaged compaction record (real IndexedDB)', () => {
  const damaged: [string, unknown][] = [
    ['not a record', 'garbage'],
    ['a position that is not a whole number', { position: 'three', states: {}, compactedAt: 0 }],
    ['no read-model states', { position: 3, compactedAt: 0 }],
    ['a damaged read-model state', { position: 3, states: { boardView: 'broken' }, compactedAt: 0 }],
  ]
  for (const [what, record] of damaged) {
    it(`${what}: the store refuses to open with StorageError corrupt and changes nothing`, async () => {
      const name = uniqueName()
      const { store: writer } = open(name)
      for (let i = 0; i < 6; i++) await writer.dispatch(addCard({ boardId: `b${i % 2}`, cardId: `c${i}`, title: `t${i}` }))
      await writer.compact({ before: 4 })
      await writer.close()
      const before = await readAll(name)
      const db = await openDB(`chronicle:${name}`)
      await db.put('meta', record, 'horizon')
      db.close()

      const { store } = open(name)
      const failure = await store.ready.then(() => undefined, (e: unknown) => e)
      expect(isChronicleError(failure, 'StorageError') && failure.code).toBe('corrupt')
      expect((failure as Error).message).toMatch(/compaction record of this log cannot be trusted/)
      await expect(store.dispatch(addCard({ boardId: 'b0', cardId: 'new', title: 't' }))).rejects.toMatchObject({ code: 'corrupt' })
      expect(await readAll(name)).toEqual(before)
    })
  }
})
