import { describe, expect, it, vi } from 'vitest'
import { createEnvelopeCache } from '../envelopeCache'
import { createLogIndex, type LogIndex } from '../logIndex'
import { addCard, addCards, lastEventIs, moveCard, openStore } from './fixtures'

/** Subscribes (which starts the indexing) and waits until the index has caught up with the store. */
async function caughtUp(index: LogIndex, position: number) {
  await vi.waitFor(() => {
    if (index.head < position) throw new Error(`indexed ${index.head} of ${position}`)
  })
}

describe('log index', () => {
  it('indexes the log in pages while subscribed, and follows new events', async () => {
    const store = openStore()
    await addCards(store, 40, 4)
    const index = createLogIndex(store, { pageSize: 7 })
    let growth = 0
    const stop = index.subscribe(() => growth++)
    await caughtUp(index, 40)
    expect(index.size).toBe(40)
    expect(index.complete).toBe(true)
    // One notification per page at least: 40 events in pages of 7.
    expect(growth).toBeGreaterThanOrEqual(6)
    const log = await store.log()
    expect(Array.from({ length: 40 }, (_, row) => [index.seq(row), index.type(row), index.stream(row)])).toEqual(log.map((e) => [e.seq, e.type, e.stream]))

    await store.dispatch(moveCard({ boardId: 'b1', cardId: 'c1', to: 'doing' }))
    await caughtUp(index, 41)
    expect(index.type(40)).toBe('CardMoved')
    expect(index.types).toEqual(['CardAdded', 'CardMoved'])

    // Without a subscriber it stops, and picks up where it was on the next one.
    stop()
    await store.dispatch(addCard({ boardId: 'b9', cardId: 'x', title: 'x' }))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(index.size).toBe(41)
    const again = index.subscribe(() => undefined)
    await caughtUp(index, 42)
    expect(index.stream(41)).toBe('board-b9')
    again()
  })

  it('selects rows by type and by part of the stream name without reading envelopes', async () => {
    const store = openStore()
    await addCards(store, 12, 3)
    await store.dispatch(moveCard({ boardId: 'b1', cardId: 'c4', to: 'doing' }))
    await store.dispatch(moveCard({ boardId: 'b2', cardId: 'c5', to: 'doing' }))
    const index = createLogIndex(store)
    const stop = index.subscribe(() => undefined)
    await caughtUp(index, 14)
    expect(index.select({})).toBeUndefined()
    expect(index.select({ type: '', stream: '' })).toBeUndefined()
    expect(Array.from(index.select({ type: 'CardMoved' })!)).toEqual([12, 13])
    expect(Array.from(index.select({ stream: 'b1' })!).map((row) => index.seq(row))).toEqual([2, 5, 8, 11, 13])
    expect(Array.from(index.select({ type: 'CardMoved', stream: 'board-b2' })!)).toEqual([13])
    expect(index.select({ type: 'NoSuchType' })!.length).toBe(0)
    expect(index.select({ stream: 'nowhere' })!.length).toBe(0)
    stop()
  })

  it('finds rows by position and marks where each command starts', async () => {
    const store = openStore()
    await addCards(store, 5)
    const index = createLogIndex(store)
    const stop = index.subscribe(() => undefined)
    await caughtUp(index, 5)
    expect(index.rowAtOrBefore(0)).toBe(-1)
    expect(index.rowAtOrBefore(3)).toBe(2)
    expect(index.rowAtOrBefore(99)).toBe(4)
    expect([0, 1, 2, 3, 4].every((row) => index.startsCommand(row))).toBe(true)
    stop()
  })

  it('groups a correlation: a command, the reaction it triggered, and its undo', async () => {
    const store = openStore()
    await addCards(store, 2, 1)
    const move = await store.dispatch(moveCard({ boardId: 'b0', cardId: 'c0', to: 'done' }))
    await lastEventIs(store, 'CardArchived')
    await store.history.undo()
    const index = createLogIndex(store)
    const stop = index.subscribe(() => undefined)
    await caughtUp(index, store.position)
    const moveRow = index.rowAtOrBefore(move.position)
    const chain = index.chain(moveRow).map((row) => index.type(row))
    expect(chain).toEqual(['CardMoved', 'CardArchived', 'Undone'])
    expect(index.chain(0).map((row) => index.seq(row))).toEqual([1])
    stop()
  })
})

describe('envelope cache', () => {
  it('reads only the asked positions, neighbours in one range, and evicts the least used', async () => {
    const store = openStore()
    await addCards(store, 100)
    const reads: { after?: number; to?: number }[] = []
    const log = store.log.bind(store)
    const counted = { ...store, log: (range?: { after?: number; to?: number; limit?: number }) => (reads.push({ ...range }), log(range)) }
    const cache = createEnvelopeCache(counted, { capacity: 30 })
    await cache.ensure([10, 11, 12, 14, 90])
    expect(reads).toEqual([
      { after: 9, to: 14 },
      { after: 89, to: 90 },
    ])
    expect(cache.get(13)?.seq).toBe(13)
    expect((await cache.load([12, 90])).map((e) => e.seq)).toEqual([12, 90])
    expect(reads).toHaveLength(2)
    await cache.ensure(Array.from({ length: 40 }, (_, i) => 41 + i))
    expect(cache.get(10)).toBeUndefined()
    expect(cache.get(80)?.payload).toMatchObject({ cardId: 'c79' })
  })
})
