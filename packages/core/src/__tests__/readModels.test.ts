import { describe, expect, it } from 'vitest'
import * as v from 'valibot'
import { createStore, defineEvent, defineProjection, defineQuery, isChronicleError, memoryStorage, type AnyProjectionDefinition, type ChronicleError, type StorageBackend } from '../index'
import { addCard, boardView, CardAdded, cardMap, commands, countedTitles, moveCard, titles } from './fixtures'

const open = (storage: StorageBackend = memoryStorage(), projections: AnyProjectionDefinition[] = [boardView, titles]) =>
  createStore({ name: 'kanban', commands, projections, storage, checkpointInterval: 60_000 })

describe('projections and queries', () => {
  it('query emits the current value at once, then only when the selected value changes', async () => {
    const store = open()
    await store.ready
    const seen: number[][] = []
    const subscription = store.query(boardView, (s) => s.columns.doing ?? []).subscribe((ids) => seen.push(ids.map((id) => Number(id.slice(1)))))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'a' }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'b' }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c2', to: 'doing' }))
    subscription.unsubscribe()
    // [] at once; the two adds do not touch `doing`, but `?? []` makes a new array each time:
    // the store compares with Object.is unless told otherwise.
    expect(seen.at(-1)).toEqual([2])
    const counts: number[] = []
    store.query(boardView, (s) => s.count).subscribe((n) => counts.push(n))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c3', title: 'c' }))
    expect(counts).toEqual([2, 3])
  })

  it('read models are frozen and keep unchanged parts identical by reference', async () => {
    const store = open()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'a' }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' }))
    const before = store.read(boardView)
    expect(Object.isFrozen(before)).toBe(true)
    expect(Object.isFrozen(before.columns)).toBe(true)
    expect(() => {
      ;(before.columns as Record<string, string[]>).x = []
    }).toThrow()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'b' }))
    const after = store.read(boardView)
    expect(after).not.toBe(before)
    expect(after.columns.doing).toBe(before.columns.doing)
    expect(after.columns.todo).not.toBe(before.columns.todo)
  })

  it('freeze: false hands states out unfrozen, live, after a cold start and while travelling, still sharing structure', async () => {
    const storage = memoryStorage()
    const first = createStore({ name: 'kanban', commands, projections: [boardView], storage, freeze: false })
    await first.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'a' }))
    await first.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' }))
    const before = first.read(boardView)
    expect(Object.isFrozen(before)).toBe(false)
    expect(Object.isFrozen(before.columns)).toBe(false)
    await first.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'b' }))
    expect(first.read(boardView).columns.doing).toBe(before.columns.doing)
    await first.travel(1)
    expect(Object.isFrozen(first.read(boardView))).toBe(false)
    expect(first.read(boardView).count).toBe(1)
    await first.travel(null)
    await first.history.undo()
    expect(Object.isFrozen(first.read(boardView))).toBe(false)
    await first.close()
    const second = createStore({ name: 'kanban', commands, projections: [boardView], storage, freeze: false })
    await second.ready
    expect(second.read(boardView).count).toBe(1)
    expect(Object.isFrozen(second.read(boardView))).toBe(false)
    await second.close()
  })

  it('freezes by default outside a production build, including travelled and cold-started states', async () => {
    expect(process.env.NODE_ENV).not.toBe('production')
    const storage = memoryStorage()
    const first = createStore({ name: 'kanban', commands, projections: [boardView], storage })
    await first.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'a' }))
    await first.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'b' }))
    await first.travel(1)
    expect(Object.isFrozen(first.read(boardView).columns)).toBe(true)
    await first.close()
    const second = createStore({ name: 'kanban', commands, projections: [boardView], storage })
    await second.ready
    expect(Object.isFrozen(second.read(boardView).columns)).toBe(true)
    await second.close()
  })

  it('holds Maps and Sets: live with structural sharing, frozen, undone, travelled and after a cold start', async () => {
    const storage = memoryStorage()
    const first = createStore({ name: 'kanban', commands, projections: [cardMap], storage })
    await first.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'a' }))
    await first.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'b' }))
    const before = first.read(cardMap)
    await first.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' }))
    const after = first.read(cardMap)
    expect(after.cards).not.toBe(before.cards)
    expect(after.cards.get('c2')).toBe(before.cards.get('c2'))
    expect(after.cards.get('c1')).toEqual({ title: 'a', column: 'doing' })
    expect([...after.columns]).toEqual(['todo', 'doing'])
    expect(() => (after.cards as Map<string, unknown>).set('x', {})).toThrow()
    await first.history.undo()
    expect(first.read(cardMap).cards.get('c1')?.column).toBe('todo')
    expect([...first.read(cardMap).columns]).toEqual(['todo'])
    await first.history.redo()
    await first.travel(1)
    expect([...first.read(cardMap).cards.keys()]).toEqual(['c1'])
    await first.travel(null)
    await first.close()
    const second = createStore({ name: 'kanban', commands, projections: [cardMap], storage })
    await second.ready
    expect(second.read(cardMap).cards.get('c1')?.column).toBe('doing')
    expect(second.read(cardMap).columns).toBeInstanceOf(Set)
    await second.close()
  })

  it('a command’s events reach every read model before any subscriber hears of it', async () => {
    const store = open()
    await store.ready
    const observed: [number, number][] = []
    store.query(boardView, (s) => s.count).subscribe((count) => observed.push([count, Object.keys(store.read(titles)).length]))
    store.query(titles).subscribe((t) => observed.push([store.read(boardView).count, Object.keys(t).length]))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'a' }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'b' }))
    for (const [count, titleCount] of observed) expect(count).toBe(titleCount)
  })

  it('parameterised queries select with their params', async () => {
    const inColumn = defineQuery({ projection: boardView, select: (s, column: string) => s.columns[column] })
    const store = open()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'a' }))
    const values: (readonly string[] | undefined)[] = []
    store.query(inColumn, 'todo').subscribe((ids) => values.push(ids))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'a' }))
    expect(values).toEqual([['c1'], ['c1', 'c2']])
  })

  it('settled resolves once every read model applied the position; dispatch already implies it', async () => {
    const store = open()
    const receipt = await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'a' }))
    expect(store.position).toBe(receipt.position)
    await store.settled(receipt.position)
    await store.settled()
    await expect(store.settled(99)).rejects.toMatchObject({ code: 'invalid-position' })
  })

  it('settled reads what another writer appended up to the log head, and resolves once it is applied', async () => {
    const storage = memoryStorage()
    const writer = open(storage)
    const reader = open(storage)
    await reader.ready
    const positions: number[] = []
    reader.position$.subscribe((p) => positions.push(p))
    await writer.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'a' }))
    await writer.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'b' }))
    expect(reader.position).toBe(0)
    await reader.settled()
    expect(reader.position).toBe(2)
    expect(reader.read(boardView).count).toBe(2)
    // position$ tells each position once.
    expect(positions).toEqual([0, 2])
  })

  it('a selector or an equal that throws errors the query, not the store', async () => {
    const store = open()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'a' }))
    const failures: unknown[] = []
    store.query(boardView, () => {
      throw new Error('selector broke')
    }).subscribe({ error: (error: unknown) => failures.push(error) })
    const values: number[] = []
    store.query(boardView, (s) => s.count, () => {
      throw new Error('equal broke')
    }).subscribe({ next: (n) => values.push(n), error: (error: unknown) => failures.push(error) })
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'b' }))
    expect(values).toEqual([1])
    expect(failures.map((error) => (error as Error).message)).toEqual(['selector broke', 'equal broke'])
    expect(store.read(boardView).count).toBe(2)
  })

  it('a failing projection reports a ProjectionError and the others keep working', async () => {
    const broken = defineProjection({
      name: 'broken',
      version: 1,
      events: [CardAdded],
      initial: { ok: 0 },
      on: {
        CardAdded: (draft, e) => {
          if (e.title === 'boom') throw new Error('cannot handle boom')
          draft.ok++
        },
      },
    })
    const storage = memoryStorage()
    const store = open(storage, [boardView, broken])
    const errors: ChronicleError[] = []
    store.errors$.subscribe((e) => errors.push(e))
    const brokenValues: number[] = []
    let brokenError: unknown
    store.query(broken, (s) => s.ok).subscribe({ next: (n) => brokenValues.push(n), error: (e: unknown) => (brokenError = e) })
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'fine' }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'boom' }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c3', title: 'fine' }))
    expect(isChronicleError(brokenError, 'ProjectionError')).toBe(true)
    expect(errors.map((e) => e.name)).toEqual(['ProjectionError'])
    expect(brokenValues).toEqual([0, 1])
    expect(store.read(broken)).toEqual({ ok: 1 })
    expect(store.read(boardView).count).toBe(3)
    expect(await (await storage.open('kanban')).readLog(0)).toHaveLength(3)
    // A new query on the failed read model errors at once.
    let late: unknown
    store.query(broken).subscribe({ error: (e: unknown) => (late = e) })
    expect(late).toBe(brokenError)
  })

  it('a read model nobody watches shows every event when read, and its failures are reported then', async () => {
    const broken = defineProjection({
      name: 'broken',
      version: 1,
      events: [CardAdded],
      initial: { titles: [] as string[] },
      on: {
        CardAdded: (draft, e) => {
          if (e.title === 'boom') throw new Error('cannot handle boom')
          draft.titles.push(e.title)
        },
      },
    })
    const store = open(memoryStorage(), [boardView, broken])
    const errors: ChronicleError[] = []
    store.errors$.subscribe((e) => errors.push(e))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    const first = store.read(broken)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c3', title: 'three' }))
    // Read after each receipt or after several: the same states, unchanged parts shared.
    expect(first).toEqual({ titles: ['one'] })
    expect(store.read(broken)).toEqual({ titles: ['one', 'two', 'three'] })
    expect(store.read(boardView).count).toBe(3)
    // A watcher that joins late starts from the folded state and then follows every command.
    const seen: string[][] = []
    const watching = store.query(broken, (s) => s.titles).subscribe((t) => seen.push([...t]))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c4', title: 'four' }))
    watching.unsubscribe()
    expect(seen).toEqual([
      ['one', 'two', 'three'],
      ['one', 'two', 'three', 'four'],
    ])
    // Unwatched again: a failing event among the pending ones is reported when they are folded,
    // and the read model stays at the event before it.
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c5', title: 'five' }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c6', title: 'boom' }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c7', title: 'seven' }))
    expect(store.read(broken)).toEqual({ titles: ['one', 'two', 'three', 'four', 'five'] })
    expect(errors.map((e) => [e.name, e.message.match(/failed on event (\d+)/)?.[1]])).toEqual([['ProjectionError', '6']])
    let late: unknown
    store.query(broken).subscribe({ error: (e: unknown) => (late = e) })
    expect(late).toBe(errors[0])
    expect(store.read(boardView).count).toBe(7)
  })

  it('a checkpoint folds what nobody has read yet', async () => {
    const storage = memoryStorage()
    const store = open(storage)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    await store.checkpoint()
    const saved = await (await storage.open('kanban')).loadCheckpoints()
    expect(saved.map((c) => [c.name, c.position])).toEqual([
      ['boardView', 2],
      ['titles', 2],
    ])
    expect((saved.find((c) => c.name === 'boardView')!.state as { count: number }).count).toBe(2)
  })

  it('rejects projections that are not part of the store', () => {
    const stranger = defineProjection({ name: 'stranger', version: 1, events: [CardAdded], initial: {}, on: {} })
    expect(() => open().read(stranger)).toThrow(/not part of this store/)
  })
})

describe('checkpoints', () => {
  const counted = countedTitles

  it('a cold start loads the checkpoint and replays only the tail', async () => {
    const storage = memoryStorage()
    const first = open(storage)
    for (let i = 0; i < 10; i++) await first.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` }))
    await first.checkpoint()
    const late = open(storage)
    for (let i = 10; i < 13; i++) await late.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` }))
    const { projection, calls } = counted()
    const cold = createStore({ name: 'kanban', commands, projections: [projection], storage })
    await cold.ready
    expect(calls.n).toBe(3)
    expect(Object.keys(cold.read(projection))).toHaveLength(13)
    expect(cold.position).toBe(13)
  })

  it('a changed version rebuilds from the log', async () => {
    const storage = memoryStorage()
    const first = open(storage)
    for (let i = 0; i < 5; i++) await first.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` }))
    await first.close()
    const { projection, calls } = counted(2)
    const cold = createStore({ name: 'kanban', commands, projections: [projection], storage })
    await cold.ready
    expect(calls.n).toBe(5)
    expect(cold.read(projection)).toEqual(first.read(titles))
  })

  it('a corrupt or unreadable checkpoint rebuilds from the log', async () => {
    const storage = memoryStorage()
    const first = open(storage)
    for (let i = 0; i < 4; i++) await first.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` }))
    await first.close()
    const log = await storage.open('kanban')
    // A state the handlers cannot continue from, and a position beyond the head.
    await log.saveCheckpoints([
      { name: 'boardView', version: 1, position: 2, state: 'garbage', savedAt: 0 },
      { name: 'titles', version: 1, position: 99, state: {}, savedAt: 0 },
    ])
    const cold = open(storage)
    const errors: ChronicleError[] = []
    cold.errors$.subscribe((e) => errors.push(e))
    await cold.ready
    expect(cold.read(boardView)).toEqual(first.read(boardView))
    expect(cold.read(titles)).toEqual(first.read(titles))
    // Each is reported: something other than the store wrote those records.
    expect(errors.map((e) => [e.name, e.code, /read model "(\w+)"/.exec(e.message)?.[1]])).toEqual([
      ['StorageError', 'corrupt', 'boardView'],
      ['StorageError', 'corrupt', 'titles'],
    ])

    const failing: StorageBackend = {
      kind: 'memory',
      async open(name) {
        const inner = await storage.open(name)
        return { ...inner, loadCheckpoints: () => Promise.reject(new Error('disk says no')) }
      },
    }
    const rebuilt = open(failing)
    await rebuilt.ready
    expect(rebuilt.read(boardView)).toEqual(first.read(boardView))
  })

  it('saves checkpoints off the dispatch path, throttled', async () => {
    const storage = memoryStorage()
    const store = createStore({ name: 'kanban', commands, projections: [titles], storage, checkpointInterval: 20, checkpointEvery: 1 })
    for (let i = 0; i < 5; i++) await store.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` }))
    const log = await storage.open('kanban')
    await expect.poll(async () => (await log.loadCheckpoints())[0]?.position, { timeout: 2000 }).toBe(5)
  })
})

describe('upcasting on the read side', () => {
  it('projections see old events through the upcasters', async () => {
    const storage = memoryStorage()
    const log = await storage.open('kanban')
    await log.append([
      {
        commandId: 'old',
        stream: 'notes',
        expectedVersion: 0,
        idempotent: false,
        events: [{ id: 'e1', stream: 'notes', version: 1, type: 'Noted', schemaVersion: 1, payload: { text: 'hi' }, meta: { commandId: 'old', causationId: 'old', correlationId: 'old', at: 1, origin: 'x' } }],
      },
    ])
    const Noted = defineEvent('Noted', v.object({ text: v.string(), loud: v.boolean() }), { version: 2, upcast: { 1: (p: { text: string }) => ({ ...p, loud: false }) } })
    const notes = defineProjection({ name: 'notes', version: 1, events: [Noted], initial: [] as string[], on: { Noted: (d, e) => void d.push(`${e.text}:${e.loud}`) } })
    const store = createStore({ name: 'kanban', commands, projections: [notes], storage })
    await store.ready
    expect(store.read(notes)).toEqual(['hi:false'])
  })
})
