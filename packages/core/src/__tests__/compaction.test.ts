import { describe, expect, it, vi } from 'vitest'
import { createStore, defineProjection, isChronicleError, memoryStorage, type ChronicleError, type StorageBackend, type StoreOptions } from '../index'
import { addCard, boardView, CardAdded, commands, moveCard, titles } from './fixtures'

const open = (storage: StorageBackend) => createStore({ name: 'kanban', commands, projections: [boardView, titles], storage, checkpointInterval: 60_000 })

async function fill(storage: StorageBackend) {
  const store = open(storage)
  for (let i = 0; i < 30; i++) await store.dispatch(addCard({ boardId: `b${i % 3}`, cardId: `c${i}`, title: `t${i}` }))
  for (let i = 0; i < 6; i++) await store.dispatch(moveCard({ boardId: `b${i % 3}`, cardId: `c${i}`, to: 'doing' }))
  return store
}

describe('compaction', () => {
  it('removes old events and keeps every read model and aggregate state', async () => {
    const storage = memoryStorage()
    const store = await fill(storage)
    const before = { board: store.read(boardView), titles: store.read(titles) }
    const result = await store.compact({ before: 31 })
    expect(result).toEqual({ horizon: 30, removed: 30, streams: 3 })
    expect(store.horizon).toBe(30)
    const log = await storage.open('kanban')
    expect((await log.readLog(0)).map((e) => e.seq)).toEqual([31, 32, 33, 34, 35, 36])
    expect(store.read(boardView)).toEqual(before.board)

    // Business rules still see the compacted state, and versions continue.
    const duplicate = await store.dispatch(addCard({ boardId: 'b0', cardId: 'c3', title: 'again' })).catch((e: unknown) => e)
    expect(isChronicleError(duplicate, 'RuleViolation') && duplicate.code).toBe('card-exists')
    const added = await store.dispatch(addCard({ boardId: 'b0', cardId: 'new', title: 'n' }))
    expect((await log.readLog(added.position - 1))[0]).toMatchObject({ stream: 'b0'.replace('b0', 'board-b0'), version: 13 })

    // A cold start, with and without checkpoints, gives the same read models.
    const cold = open(storage)
    await cold.ready
    expect(cold.read(boardView)).toEqual(store.read(boardView))
    await log.deleteCheckpoint('boardView')
    await log.deleteCheckpoint('titles')
    const rebuilt = open(storage)
    await rebuilt.ready
    expect(rebuilt.read(boardView)).toEqual(store.read(boardView))
    expect(rebuilt.read(titles)).toEqual(store.read(titles))
    // A fresh session on the compacted log keeps working on the compacted streams.
    await expect(rebuilt.dispatch(moveCard({ boardId: 'b1', cardId: 'c7', to: 'doing' }))).resolves.toMatchObject({ eventCount: 1 })
  })

  it('undo and time travel stop at the horizon with clear errors', async () => {
    const storage = memoryStorage()
    const store = await fill(storage)
    await store.compact({ before: 34 })
    await expect(store.travel(10)).rejects.toMatchObject({ code: 'compacted' })
    await store.travel(35)
    expect(store.read(boardView).columns.doing).toHaveLength(5)
    await store.travel(null)
    // The last three moves are after the horizon: they can be undone; the ones before cannot.
    await store.history.undo()
    await store.history.undo()
    await store.history.undo()
    const error = await store.history.undo().catch((e: unknown) => e)
    expect(isChronicleError(error, 'UndoConflict') && error.code).toBe('unknown-command')
    expect(store.read(boardView).columns.doing).toHaveLength(3)
  })

  it('keeps an undo of an old command that happened after it, and refuses new projection versions it cannot rebuild', async () => {
    const storage = memoryStorage()
    const store = open(storage)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await store.dispatch(addCard({ boardId: 'x', cardId: 'c2', title: 'two' }))
    await store.history.undo() // undoes c2 (position 3)
    await store.dispatch(addCard({ boardId: 'x', cardId: 'c3', title: 'three' }))
    await store.compact({ before: 3 })
    const cold = open(storage)
    await cold.ready
    expect(cold.read(titles)).toEqual({ c1: 'one', c3: 'three' })

    const v2 = defineProjection({ name: 'titles', version: 2, events: [CardAdded], initial: {} as Record<string, string>, on: {} })
    const newer = createStore({ name: 'kanban', commands, projections: [v2], storage })
    const errors: ChronicleError[] = []
    newer.errors$.subscribe((e) => errors.push(e))
    await newer.ready
    expect(errors.map((e) => e.code)).toEqual(['compacted'])
  })

  it('refuses to compact past the head or while travelling', async () => {
    const store = await fill(memoryStorage())
    await expect(store.compact({ before: 100 })).rejects.toMatchObject({ code: 'invalid-position' })
    await store.travel(3)
    await expect(store.compact({ before: 2 })).rejects.toMatchObject({ name: 'TimeTravelActive' })
  })
})

describe('automatic compaction', () => {
  const openWith = (storage: StorageBackend, compaction: NonNullable<StoreOptions['compaction']>) =>
    createStore({ name: 'kanban', commands, projections: [boardView, titles], storage, checkpointInterval: 60_000, compaction })

  it('keeps the newest events once enough gathered, and what the older ones built', async () => {
    const storage = memoryStorage()
    const store = openWith(storage, { keep: 20, slack: 5 })
    const horizons: number[] = []
    for (let i = 0; i < 80; i++) {
      await store.dispatch(addCard({ boardId: `b${i % 4}`, cardId: `c${i}`, title: `t${i}` }))
      // An app yields to the event loop now and then; compaction runs in such a gap.
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5))
      if (store.horizon !== horizons.at(-1)) horizons.push(store.horizon)
    }
    await vi.waitFor(() => expect(store.position - store.horizon).toBeLessThanOrEqual(25))
    // Never more than keep + slack events after the horizon (give or take the commands in flight), never fewer than keep.
    expect(horizons.length).toBeGreaterThan(2)
    expect(store.position - store.horizon).toBeGreaterThanOrEqual(20)
    const log = await storage.open('kanban')
    expect((await log.readLog(0)).length).toBe(store.position - store.horizon)
    expect(store.read(boardView).count).toBe(80)
    // Business rules see every card, compacted or not.
    await expect(store.dispatch(addCard({ boardId: 'b0', cardId: 'c0', title: 'again' }))).rejects.toMatchObject({ code: 'card-exists' })
    const cold = openWith(storage, { keep: 20, slack: 5 })
    await cold.ready
    expect(cold.read(boardView)).toEqual(store.read(boardView))
    expect(cold.read(titles)).toEqual(store.read(titles))
  })

  it('waits while the store travels, and is off with `compaction: false`', async () => {
    const storage = memoryStorage()
    const store = openWith(storage, { keep: 5, slack: 1 })
    for (let i = 0; i < 3; i++) await store.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: 't' }))
    await store.travel(1)
    // Events keep arriving while travelling (here: another writer's, through the log).
    const other = openWith(storage, false)
    for (let i = 3; i < 12; i++) await other.dispatch(addCard({ boardId: 'o', cardId: `c${i}`, title: 't' }))
    expect(other.horizon).toBe(0)
    await store.travel(null)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'last', title: 't' }))
    await vi.waitFor(() => expect(store.horizon).toBeGreaterThan(0))
    expect(store.position - store.horizon).toBe(5)
  })

  it('refuses a policy it cannot follow', () => {
    for (const compaction of [{ keep: 0 }, { keep: 1.5 }, { keep: 10, slack: 0 }] as const) {
      expect(() => openWith(memoryStorage(), compaction)).toThrow(expect.objectContaining({ name: 'ConfigurationError', code: 'invalid-option' }))
    }
  })
})
