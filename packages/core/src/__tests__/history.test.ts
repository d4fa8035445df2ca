import { describe, expect, it } from 'vitest'
import { firstValueFrom } from 'rxjs'
import { createStore, defineProjection, isChronicleError, memoryStorage, type AnyProjectionDefinition, type StorageBackend } from '../index'
import { addCard, board, boardView, CardAdded, commands, countedTitles, moveCard, titles } from './fixtures'

const open = (storage: StorageBackend = memoryStorage(), extra: { projections?: AnyProjectionDefinition[]; snapshotEvery?: number } = {}) =>
  createStore({ name: 'kanban', commands, projections: extra.projections ?? [boardView, titles], storage, checkpointInterval: 60_000, ...(extra.snapshotEvery ? { snapshotEvery: extra.snapshotEvery } : {}) })

describe('undo and redo', () => {
  it('undo removes a command from every fold, redo brings it back exactly', async () => {
    const storage = memoryStorage()
    const store = open(storage)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    const before = { board: store.read(boardView), titles: store.read(titles) }
    const move = await store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' }))
    const after = { board: store.read(boardView), titles: store.read(titles) }
    expect(store.history.canUndo).toBe(true)

    expect(store.history.undoTarget).toBe(move.commandId)
    expect(store.history.redoTarget).toBeUndefined()
    const undo = await store.history.undo()
    expect(store.history.redoTarget).toBe(move.commandId)
    expect(store.history.undoTarget).not.toBe(move.commandId)
    expect(store.read(boardView)).toEqual(before.board)
    expect(store.read(titles)).toEqual(before.titles)
    expect(store.history.canRedo).toBe(true)
    // The write model forgot the move too: moving again is allowed and starts from todo.
    const log = await storage.open('kanban')
    expect((await log.readLog(0)).map((e) => e.type)).toEqual(['CardAdded', 'CardMoved', 'Undone'])
    expect((await log.readLog(0)).at(-1)).toMatchObject({ stream: 'board-b', version: 3, meta: { commandId: undo.commandId } })

    await store.history.redo()
    expect(store.read(boardView)).toEqual(after.board)
    expect(store.read(titles)).toEqual(after.titles)
    expect((await log.readLog(0)).map((e) => e.type)).toEqual(['CardAdded', 'CardMoved', 'Undone', 'Redone'])
    expect(store.history.canRedo).toBe(false)
    expect(await firstValueFrom(store.history.canUndo$)).toBe(true)
  })

  it('canUndo$ and canRedo$ tell only changes', async () => {
    const store = open()
    const canUndo: boolean[] = []
    const canRedo: boolean[] = []
    store.history.canUndo$.subscribe((can) => canUndo.push(can))
    store.history.canRedo$.subscribe((can) => canRedo.push(can))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    await store.history.undo()
    await store.history.undo()
    expect(canUndo).toEqual([false, true, false])
    expect(canRedo).toEqual([false, true])
  })

  it('undoes last in first out and refuses when nothing is left', async () => {
    const store = open()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    await store.history.undo()
    expect(store.read(boardView).columns).toEqual({ todo: ['c1'] })
    await store.history.undo()
    expect(store.read(boardView)).toEqual({ columns: {}, count: 0 })
    expect(store.history.canUndo).toBe(false)
    const error = await store.history.undo().catch((e: unknown) => e)
    expect(isChronicleError(error, 'UndoConflict') && error.code).toBe('nothing-to-undo')
    // The aggregate agrees: c1 can be added again.
    await expect(store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'again' }))).resolves.toMatchObject({ eventCount: 1 })
    expect(store.history.canRedo).toBe(false)
  })

  it('refuses with UndoConflict naming the later command of someone else on the same stream', async () => {
    const storage = memoryStorage()
    const mine = open(storage)
    const theirs = open(storage)
    await mine.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    const later = await theirs.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' }))
    const error = await mine.history.undo().catch((e: unknown) => e)
    expect(isChronicleError(error, 'UndoConflict')).toBe(true)
    if (!isChronicleError(error, 'UndoConflict')) return
    expect(error.code).toBe('later-command')
    expect(error.blockingCommandId).toBe(later.commandId)
    expect(error.message).toContain(later.commandId)
    expect(mine.history.canUndo).toBe(true)
    // Once the other session undoes its move, ours can be undone.
    await theirs.history.undo()
    await mine.history.undo()
    await mine.settled()
    expect(mine.read(boardView)).toEqual({ columns: {}, count: 0 })
  })

  it('a new command clears the redo stack', async () => {
    const store = open()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await store.history.undo()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    expect(store.history.canRedo).toBe(false)
  })

  it('keeps commands dispatched with undoable: false off the undo stack', async () => {
    const store = open()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'seed', title: 'seeded' }), { undoable: false })
    expect(store.history.canUndo).toBe(false)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'mine' }))
    await store.history.undo()
    expect(store.history.canUndo).toBe(false)
    expect(store.read(titles)).toEqual({ seed: 'seeded' })
  })

  it('refolds from the nearest snapshot, not from the start of the log', async () => {
    const { projection, calls } = countedTitles()
    const store = open(memoryStorage(), { projections: [projection], snapshotEvery: 10 })
    for (let i = 0; i < 200; i++) await store.dispatch(addCard({ boardId: `b${i % 3}`, cardId: `c${i}`, title: `t${i}` }))
    calls.n = 0
    await store.history.undo()
    expect(calls.n).toBeLessThanOrEqual(10)
    expect(Object.keys(store.read(projection))).toHaveLength(199)
  })

  it('a cold start honours undo and redo, even across a checkpoint', async () => {
    const storage = memoryStorage()
    const store = open(storage)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    await store.checkpoint()
    await store.history.undo()
    await store.history.undo()
    const expected = store.read(boardView)
    // Throw away the newer checkpoint: the tail's Undone events reach back before the old one.
    const log = await storage.open('kanban')
    const cold = open(storage)
    await cold.ready
    expect(cold.read(boardView)).toEqual(expected)
    expect(cold.read(boardView)).toEqual({ columns: {}, count: 0 })
    void log
    void board
  })
})

describe('time travel', () => {
  it('travel(p) equals a fold of the first p events; back to live loses nothing', async () => {
    const storage = memoryStorage()
    const store = open(storage, { snapshotEvery: 4 })
    const seen: number[] = []
    store.query(boardView, (s) => s.count).subscribe((n) => seen.push(n))
    for (let i = 0; i < 10; i++) await store.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c0', to: 'doing' }))
    for (const p of [0, 1, 5, 10, 11, 3]) {
      await store.travel(p)
      const reference = createStore({ name: 'ref', commands, projections: [boardView], storage: memoryStorage() })
      for (const e of await store.log({ to: p })) {
        await reference.dispatch(e.type === 'CardAdded' ? addCard({ boardId: 'b', cardId: (e.payload as { cardId: string }).cardId, title: 't' }) : moveCard({ boardId: 'b', cardId: 'c0', to: 'doing' }))
      }
      expect(store.read(boardView)).toEqual(reference.read(boardView))
      expect(store.travelling).toBe(p)
    }
    const refused = await store.dispatch(addCard({ boardId: 'b', cardId: 'x', title: 'x' })).catch((e: unknown) => e)
    expect(isChronicleError(refused, 'TimeTravelActive')).toBe(true)
    // Another session keeps writing while this one travels.
    await open(storage).dispatch(addCard({ boardId: 'b', cardId: 'other', title: 'o' }))
    await store.settled()
    expect(store.read(boardView).count).toBe(3)
    await store.travel(null)
    expect(store.travelling).toBeNull()
    expect(store.read(boardView).count).toBe(11)
    expect(seen.at(-1)).toBe(11)
  })

  it('travel before and after an undo shows the command, then not', async () => {
    const store = open()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    const added = await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    await store.history.undo()
    await store.travel(added.position)
    expect(store.read(boardView).count).toBe(2)
    await store.travel(added.position + 1)
    expect(store.read(boardView).count).toBe(1)
    await store.travel(null)
    expect(await store.stateAt(boardView, added.position)).toMatchObject({ count: 2 })
  })

  it('after prepareTravel, every jump folds at most snapshotEvery events, also past events written since', async () => {
    const { projection, calls } = countedTitles()
    const store = open(memoryStorage(), { projections: [projection], snapshotEvery: 10 })
    for (let i = 0; i < 200; i++) await store.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` }))
    calls.n = 0
    await store.prepareTravel()
    // One pass over the log builds the index.
    expect(calls.n).toBeLessThanOrEqual(200)
    calls.n = 0
    const [early, late] = await Promise.all([store.stateAt(projection, 55), store.stateAt(projection, 123)])
    expect(Object.keys(early)).toHaveLength(55)
    expect(Object.keys(late)).toHaveLength(123)
    expect(calls.n).toBeLessThanOrEqual(2 * 10)
    // Live events keep the index up to date: no rebuild, and jumps stay short.
    for (let i = 200; i < 230; i++) await store.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` }))
    calls.n = 0
    await store.travel(227)
    expect(Object.keys(store.read(projection))).toHaveLength(227)
    await store.travel(null)
    expect(calls.n).toBeLessThanOrEqual(10)
  })

  it('closing the store stops an index build under way', async () => {
    const { projection, calls } = countedTitles()
    const store = open(memoryStorage(), { projections: [projection], snapshotEvery: 1 })
    for (let i = 0; i < 2000; i++) await store.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` }))
    calls.n = 0
    // A snapshot per event over a growing record: a build of many slices.
    const building = store.prepareTravel()
    await store.close()
    await building
    expect(calls.n).toBeLessThan(1000)
  })

  it('a long fold from the origin lets the page run other tasks, and gives the same state', async () => {
    const folded = { n: 0 }
    const slow = defineProjection({
      name: 'slow',
      version: 1,
      events: [CardAdded],
      initial: {} as Record<string, string>,
      on: {
        CardAdded: (draft, e) => {
          folded.n++
          // ~50 µs an event: 900 events take longer than one slice of the fold.
          const until = performance.now() + 0.05
          while (performance.now() < until);
          draft[e.cardId] = e.title
        },
      },
    })
    const store = open(memoryStorage(), { projections: [slow], snapshotEvery: 10 })
    for (let i = 0; i < 1000; i++) await store.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` }))
    folded.n = 0
    const seen: number[] = []
    const channel = new MessageChannel()
    let pinging = true
    channel.port1.onmessage = () => {
      seen.push(folded.n)
      if (pinging) channel.port2.postMessage(null)
    }
    channel.port2.postMessage(null)
    const state = await store.stateAt(slow, 900)
    pinging = false
    channel.port1.close()
    expect(Object.keys(state)).toHaveLength(900)
    expect(state.c899).toBe('t899')
    // Some task of the page ran while the fold was half done.
    expect(seen.some((n) => n > 0 && n < 900)).toBe(true)
  })

  it('a jump does not wait for the index (a whole pass over the log)', async () => {
    const { projection, calls } = countedTitles()
    const store = open(memoryStorage(), { projections: [projection], snapshotEvery: 10 })
    for (let i = 0; i < 200; i++) await store.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` }))
    calls.n = 0
    expect(Object.keys(await store.stateAt(projection, 70))).toHaveLength(70)
    expect(calls.n).toBeLessThan(200)
  })

  it('stateAt folds only the read model it is asked for', async () => {
    const { projection, calls } = countedTitles()
    const store = open(memoryStorage(), { projections: [boardView, projection], snapshotEvery: 10 })
    for (let i = 0; i < 30; i++) await store.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` }))
    await store.stateAt(projection, 5)
    calls.n = 0
    expect((await store.stateAt(boardView, 17)).count).toBe(17)
    expect(calls.n).toBe(0)
    expect(Object.keys(await store.stateAt(projection, 17))).toHaveLength(17)
    expect(calls.n).toBe(7)
    // Travel still moves every read model.
    await store.travel(17)
    expect(store.read(boardView).count).toBe(17)
    expect(Object.keys(store.read(projection))).toHaveLength(17)
  })

  it('refuses positions outside the log', async () => {
    const store = open()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await expect(store.travel(5)).rejects.toMatchObject({ name: 'PositionError', code: 'invalid-position' })
    await expect(store.travel(-1)).rejects.toMatchObject({ code: 'invalid-position' })
  })

  it('store.log reads ranges with causation', async () => {
    const store = open()
    for (let i = 0; i < 5; i++) await store.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` }))
    const page = await store.log({ after: 1, limit: 2 })
    expect(page.map((e) => e.seq)).toEqual([2, 3])
    expect(page[0]!.meta.causationId).toBe(page[0]!.meta.commandId)
  })
})

describe('undoCommand (any command by id, as the sync server runs it)', () => {
  it('undoes and redoes by id, idempotently, with the same conflict checks', async () => {
    const storage = memoryStorage()
    const client = open(storage)
    const added = await client.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    const server = open(storage)
    const first = await server.undoCommand(added.commandId, { commandId: 'undo-1' })
    const again = await server.undoCommand(added.commandId, { commandId: 'undo-1' })
    expect(again).toMatchObject({ duplicate: true, position: first.position })
    await server.settled()
    expect(server.read(boardView).count).toBe(0)
    await server.undoCommand(added.commandId, { kind: 'redo', commandId: 'redo-1' })
    expect(server.read(boardView).count).toBe(1)
    await expect(server.undoCommand('nope')).rejects.toMatchObject({ name: 'UndoConflict', code: 'unknown-command' })
  })
})
