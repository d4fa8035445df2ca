import { describe, expect, it } from 'vitest'
import { createStore, defineProjection, isChronicleError, memoryStorage, type ChronicleError, type StorageBackend } from '../index'
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
