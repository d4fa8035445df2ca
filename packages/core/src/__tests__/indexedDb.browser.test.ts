import { describe, expect, it } from 'vitest'
import { idbHarness } from './idbHarness'
import * as v from 'valibot'
import { createStore, defineAggregate, defineCommand, defineEvent, indexedDbStorage, isChronicleError, type Store } from '../index'
import { addCard, boardView, commands, moveCard } from './fixtures'

const { stores, uniqueName, open, readAll } = idbHarness('test')


describe('IndexedDB event log (real Chromium)', () => {
  it("asks for the durability it was given, and for the browser's default with no options at all", async () => {
    const asked: (IDBTransactionOptions | undefined)[] = []
    const transaction = IDBDatabase.prototype.transaction
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      if (args[1] === 'readwrite') asked.push(args[2])
      return transaction.apply(this, args)
    }
    try {
      for (const durability of ['strict', 'relaxed', 'default', undefined] as const) {
        const name = uniqueName()
        const store = createStore({ name, commands, projections: [boardView], storage: indexedDbStorage(durability ? { durability } : {}) })
        stores.push(store)
        asked.length = 0
        await store.dispatch(addCard({ boardId: 'b', cardId: 'c', title: 't' }))
        await store.dispatch(addCard({ boardId: 'b', cardId: 'd', title: 't' }, { commandId: `explicit-${name}` }))
        expect(asked.length, String(durability)).toBeGreaterThanOrEqual(2)
        expect(asked, String(durability)).toEqual(asked.map(() => (durability === 'strict' || durability === 'relaxed' ? { durability } : undefined)))
        expect(store.read(boardView).count).toBe(2)
      }
    } finally {
      IDBDatabase.prototype.transaction = transaction
    }
  })

  it('keeps every acknowledged event across close and reopen', async () => {
    const name = uniqueName()
    const store = open(name)
    const receipts = []
    for (let i = 0; i < 20; i++) receipts.push(await store.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: `t${i}` })))
    await store.close()
    const events = await readAll(name)
    expect(events.map((e) => e.seq)).toEqual(receipts.map((r) => r.position))
    const reopened = open(name)
    await reopened.ready
    expect(reopened.read(boardView).count).toBe(20)
    const error = await reopened.dispatch(addCard({ boardId: 'b', cardId: 'c3', title: 'again' })).catch((e: unknown) => e)
    expect(isChronicleError(error, 'RuleViolation')).toBe(true)
  })

  it('an aborted transaction mid-command leaves nothing of it, and its neighbours commit', async () => {
    const Logged = defineEvent('Logged', v.object({ data: v.unknown() }))
    const journal = defineAggregate({ name: 'journal', events: [Logged], initial: () => ({ n: 0 }), evolve: { Logged: (d) => void d.n++ } })
    const log = defineCommand({
      type: 'log',
      schema: v.object({ items: v.array(v.unknown()) }),
      aggregate: journal,
      stream: () => 'journal',
      handle: (_s, c) => c.items.map((data) => Logged({ data })),
    })
    const name = uniqueName()
    const store = createStore({ name, commands: [log], storage: indexedDbStorage() })
    stores.push(store)
    await store.ready
    // The second event of the middle command cannot be stored (a function is not cloneable), so
    // IndexedDB fails after the first event of that command was already requested.
    const results = await Promise.allSettled([
      store.dispatch(log({ items: ['a1', 'a2'] })),
      store.dispatch(log({ items: ['b1', () => 'not cloneable', 'b3'] })),
      store.dispatch(log({ items: ['c1'] })),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    const failure = (results[1] as PromiseRejectedResult).reason
    expect(isChronicleError(failure, 'StorageError') && failure.code).toBe('failed')
    const events = await readAll(name)
    expect(events.map((e) => e.payload)).toEqual([{ data: 'a1' }, { data: 'a2' }, { data: 'c1' }])
    expect(events.map((e) => e.version)).toEqual([1, 2, 3])
  })

  it('two stores on one database racing on one stream lose and duplicate nothing', async () => {
    const name = uniqueName()
    const a = open(name)
    const b = open(name)
    await Promise.all([a.ready, b.ready])
    const burst = (store: Store, prefix: string) =>
      Array.from({ length: 100 }, (_, i) => store.dispatch(addCard({ boardId: 'b1', cardId: `${prefix}${i}`, title: 't' })))
    const receipts = await Promise.all([...burst(a, 'a'), ...burst(b, 'b')])
    expect(new Set(receipts.map((r) => r.position)).size).toBe(200)
    const events = await readAll(name)
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
    expect(new Set(events.map((e) => (e.payload as { cardId: string }).cardId)).size).toBe(200)
    // Both stores' read models hold all 200 cards: each caught up on the other's events.
    await Promise.all([a.settled(), b.settled()])
    expect(a.read(boardView).count).toBe(200)
    expect(b.read(boardView).count).toBe(200)
  })

  it('a store with a stale stream decides again on the fresh state instead of writing over the other store', async () => {
    const name = uniqueName()
    const a = open(name)
    const b = open(name)
    await b.dispatch(addCard({ boardId: 'b1', cardId: 'x', title: 't' }))
    await a.dispatch(addCard({ boardId: 'b1', cardId: 'y', title: 't' }))
    // b still holds the stream at version 1 without card y: its append collides with a's event,
    // and the command runs again on the stream as the log has it.
    const error = await b.dispatch(addCard({ boardId: 'b1', cardId: 'y', title: 'again' })).catch((e: unknown) => e)
    expect(isChronicleError(error, 'RuleViolation') && error.code).toBe('card-exists')
    await b.dispatch(addCard({ boardId: 'b1', cardId: 'z', title: 't' }))
    const events = await readAll(name)
    expect(events.map((e) => [e.version, (e.payload as { cardId: string }).cardId])).toEqual([
      [1, 'x'],
      [2, 'y'],
      [3, 'z'],
    ])
  })

  it('reports an uncloneable failure without touching stored events, then keeps working', async () => {
    const name = uniqueName()
    const store = open(name)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' }))
    expect(store.read(boardView).columns).toEqual({ todo: [], doing: ['c1'] })
    expect((await readAll(name)).length).toBe(2)
  })

  it('compacts the log in one transaction; a cold start and a rebuild give the same read models', async () => {
    const name = uniqueName()
    const store = open(name)
    for (let i = 0; i < 40; i++) await store.dispatch(addCard({ boardId: `b${i % 4}`, cardId: `c${i}`, title: `t${i}` }))
    await store.dispatch(moveCard({ boardId: 'b1', cardId: 'c1', to: 'doing' }))
    const expected = store.read(boardView)
    await expect(store.compact({ before: 41 })).resolves.toEqual({ horizon: 40, removed: 40, streams: 4 })
    expect((await readAll(name)).map((e) => e.seq)).toEqual([41])
    await store.dispatch(addCard({ boardId: 'b2', cardId: 'c100', title: 'after' }))
    await store.close()

    const cold = open(name)
    await cold.ready
    expect(cold.read(boardView).count).toBe(41)
    const log = await indexedDbStorage().open(name)
    await log.deleteCheckpoint('boardView')
    log.close()
    const rebuilt = open(name)
    await rebuilt.ready
    expect(rebuilt.read(boardView)).toEqual(cold.read(boardView))
    expect(rebuilt.read(boardView).columns.doing).toEqual(expected.columns.doing)
    const duplicate = await rebuilt.dispatch(addCard({ boardId: 'b3', cardId: 'c7', title: 'x' })).catch((e: unknown) => e)
    expect(isChronicleError(duplicate, 'RuleViolation')).toBe(true)
  })

  it('answers a repeat within one batch as a duplicate of the copy the batch wrote', async () => {
    const name = uniqueName()
    const store = open(name)
    await store.ready
    const [first, second] = await Promise.all([
      store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }, { commandId: 'same' })),
      store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }, { commandId: 'same' })),
    ])
    expect(first).toMatchObject({ duplicate: false, eventCount: 1 })
    expect(second).toEqual({ commandId: 'same', position: first!.position, eventCount: 0, duplicate: true })
    expect(await readAll(name)).toHaveLength(1)
  })
})
