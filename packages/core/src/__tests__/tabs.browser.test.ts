import { afterEach, describe, expect, it } from 'vitest'
import { filter, firstValueFrom } from 'rxjs'
import * as v from 'valibot'
import { createStore, defineAggregate, defineCommand, defineEvent, defineProjection, defineReaction, indexedDbStorage, type Store, type StoreOptions } from '../index'
import { addCard, boardView, commands, moveCard } from './fixtures'

const stores: Store[] = []
let counter = 0
const uniqueName = () => `tabs-${Date.now()}-${counter++}`
const open = (options: StoreOptions) => {
  const store = createStore({ storage: indexedDbStorage(), ...options })
  stores.push(store)
  return store
}
/** A store without a BroadcastChannel (an old browser, a sandbox): it hears no other tab. */
async function openDeaf(options: StoreOptions): Promise<Store> {
  const channel = globalThis.BroadcastChannel
  try {
    // @ts-expect-error: the channel is unavailable to this store.
    delete globalThis.BroadcastChannel
    const store = open(options)
    await store.ready
    return store
  } finally {
    globalThis.BroadcastChannel = channel
  }
}
const reached = (store: Store, position: number) => firstValueFrom(store.position$.pipe(filter((p) => p >= position)))

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)))
})

// A command that writes three events, to see whether anyone ever shows part of one.
const Step = defineEvent('Step', v.object({ n: v.number() }))
const stepper = defineAggregate({ name: 'stepper', events: [Step], initial: () => ({}), evolve: { Step: () => undefined } })
const threeSteps = defineCommand({
  type: 'threeSteps',
  schema: v.object({ stream: v.string() }),
  aggregate: stepper,
  stream: (c) => c.stream,
  handle: () => [Step({ n: 1 }), Step({ n: 2 }), Step({ n: 3 })],
})
const steps = defineProjection({ name: 'steps', version: 1, events: [Step], initial: { count: 0 }, on: { Step: (d) => void d.count++ } })

describe('tabs on one database (real Chromium)', () => {
  it('announces its head at most once a frame while it writes one command at a time, and always the last one', async () => {
    const name = uniqueName()
    const listener = new BroadcastChannel(`chronicle:${name}`)
    const heads: number[] = []
    listener.onmessage = (message: MessageEvent<{ kind: string; head?: number }>) => {
      if (message.data.kind === 'head') heads.push(message.data.head!)
    }
    try {
      const a = open({ name, commands, projections: [boardView] })
      await a.ready
      const started = performance.now()
      let last = 0
      for (let i = 0; i < 60; i++) last = (await a.dispatch(addCard({ boardId: 'b0', cardId: `c${i}`, title: 't' }))).position
      const elapsed = performance.now() - started
      await expect.poll(() => heads.at(-1), { timeout: 2000 }).toBe(last)
      // One post per 16 ms of writing, plus the first (posted at once) and the last (after the loop).
      expect(heads.length).toBeLessThanOrEqual(Math.ceil(elapsed / 16) + 2)
      expect(heads.length).toBeLessThan(60)
      expect(heads).toEqual([...heads].sort((x, y) => x - y))
    } finally {
      listener.close()
    }
  })

  it("a store applies another store's commits from the channel, without settled()", async () => {
    const name = uniqueName()
    const a = open({ name, commands, projections: [boardView] })
    const b = open({ name, commands, projections: [boardView] })
    await Promise.all([a.ready, b.ready])
    const receipts = await Promise.all(Array.from({ length: 30 }, (_, i) => a.dispatch(addCard({ boardId: `b${i % 3}`, cardId: `c${i}`, title: 't' }))))
    const head = Math.max(...receipts.map((r) => r.position))
    await reached(b, head)
    expect(b.read(boardView)).toEqual(a.read(boardView))
    expect(b.read(boardView).count).toBe(30)
    // And back: b's commit reaches a the same way.
    const receipt = await b.dispatch(addCard({ boardId: 'b0', cardId: 'from-b', title: 't' }))
    await reached(a, receipt.position)
    expect(a.read(boardView).columns.todo).toContain('from-b')
  })

  it('another tab never shows half of a command while it catches up', async () => {
    const name = uniqueName()
    const a = open({ name, commands: [threeSteps], projections: [steps] })
    const b = open({ name, commands: [threeSteps], projections: [steps] })
    await Promise.all([a.ready, b.ready])
    const seen: number[] = []
    const subscription = b.query(steps, (s) => s.count).subscribe((count) => seen.push(count))
    const receipts = await Promise.all(Array.from({ length: 200 }, (_, i) => a.dispatch(threeSteps({ stream: `s${i % 7}` }))))
    await reached(b, Math.max(...receipts.map((r) => r.position)))
    subscription.unsubscribe()
    expect(seen.at(-1)).toBe(600)
    expect(seen.filter((count) => count % 3 !== 0)).toEqual([])
  })

  it("reactions run only in the tab that committed the triggering events", async () => {
    const name = uniqueName()
    const runs = { a: 0, b: 0 }
    const counting = (tab: 'a' | 'b') =>
      defineReaction({
        name: 'follow',
        events: [Step],
        on: {
          Step: () => {
            runs[tab]++
          },
        },
      })
    const a = open({ name, commands: [threeSteps], projections: [steps], reactions: [counting('a')] })
    const b = open({ name, commands: [threeSteps], projections: [steps], reactions: [counting('b')] })
    await Promise.all([a.ready, b.ready])
    const receipt = await a.dispatch(threeSteps({ stream: 's' }))
    await reached(b, receipt.position)
    expect(b.read(steps).count).toBe(3)
    expect(runs).toEqual({ a: 3, b: 0 })
  })

  it('a store without a BroadcastChannel catches up on focus and on its next commit', async () => {
    const name = uniqueName()
    const a = open({ name, commands, projections: [boardView] })
    await a.ready
    const deaf = await openDeaf({ name, commands, projections: [boardView] })
    await a.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }))
    const second = await a.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 't' }))
    // Nothing told the deaf store; it has read nothing since it opened.
    expect(deaf.position).toBe(0)
    window.dispatchEvent(new FocusEvent('focus'))
    await reached(deaf, second.position)
    expect(deaf.read(boardView)).toEqual(a.read(boardView))

    await a.dispatch(addCard({ boardId: 'b', cardId: 'c3', title: 't' }))
    expect(deaf.read(boardView).count).toBe(2)
    // Its own commit lands after c3 and reads the gap first: the receipt means both are applied.
    await deaf.dispatch(addCard({ boardId: 'b', cardId: 'c4', title: 't' }))
    expect(deaf.read(boardView).columns.todo).toEqual(['c1', 'c2', 'c3', 'c4'])
  })

  it('a compaction in one tab reaches the others: their horizon moves and their commands decide on fresh state', async () => {
    const name = uniqueName()
    const a = open({ name, commands, projections: [boardView] })
    const b = open({ name, commands, projections: [boardView] })
    await Promise.all([a.ready, b.ready])
    await b.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }))
    const last = await a.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 't' }))
    await reached(b, last.position)
    await a.compact({ before: last.position + 1 })
    await expect.poll(() => b.horizon).toBe(last.position)
    await expect(b.travel(1)).rejects.toMatchObject({ code: 'compacted' })
    await expect(b.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'again' }))).rejects.toMatchObject({ code: 'card-exists' })
    const third = await b.dispatch(addCard({ boardId: 'b', cardId: 'c3', title: 't' }))
    await reached(a, third.position)
    expect(a.read(boardView)).toEqual(b.read(boardView))
    expect(a.read(boardView).columns.todo).toEqual(['c1', 'c2', 'c3'])
  })

  it('automatic compaction: the leading tab compacts what every tab writes, and the others follow', async () => {
    const name = uniqueName()
    const compaction = { keep: 10, slack: 3 }
    const a = open({ name, commands, projections: [boardView], compaction })
    const b = open({ name, commands, projections: [boardView], compaction })
    await Promise.all([a.ready, b.ready])
    let last = 0
    for (let i = 0; i < 40; i++) {
      last = (await (i % 2 ? a : b).dispatch(addCard({ boardId: `b${i % 3}`, cardId: `c${i}`, title: 't' }))).position
      if (i % 8 === 7) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await reached(a, last)
    await reached(b, last)
    // Each compaction first gives the other tabs a moment; the last one catches up with the loop.
    await expect.poll(() => [last - a.horizon <= compaction.keep + compaction.slack, a.horizon === b.horizon], { timeout: 5000 }).toEqual([true, true])
    expect(last - a.horizon).toBeGreaterThanOrEqual(compaction.keep)
    expect((await a.log({ after: 0 })).length).toBe(last - a.horizon)
    expect(a.read(boardView)).toEqual(b.read(boardView))
    expect(a.read(boardView).count).toBe(40)
  })

  it('a tab that was away while another compacted drops its cached streams on return', async () => {
    const name = uniqueName()
    const a = open({ name, commands, projections: [boardView] })
    const b = open({ name, commands, projections: [boardView] })
    await Promise.all([a.ready, b.ready])
    await b.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }))
    // b is frozen: nothing a posts reaches it (a frozen page gets no messages).
    const post = BroadcastChannel.prototype.postMessage
    BroadcastChannel.prototype.postMessage = () => undefined
    let added
    try {
      added = await a.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 't' }))
      await a.compact({ before: added.position + 1 })
    } finally {
      BroadcastChannel.prototype.postMessage = post
    }
    expect(b.horizon).toBe(0)
    // The page comes back: its first command decides on the log, not on what it cached before.
    document.dispatchEvent(new Event('resume'))
    await expect(b.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'stale' }))).rejects.toMatchObject({ code: 'card-exists' })
    await expect.poll(() => b.horizon).toBe(added.position)
    const moved = await b.dispatch(moveCard({ boardId: 'b', cardId: 'c2', to: 'doing' }))
    await reached(a, moved.position)
    expect(b.read(boardView)).toEqual(a.read(boardView))
  })

  it('a tab that missed a compaction never writes or refuses on the state it cached before it', async () => {
    const name = uniqueName()
    const a = open({ name, commands, projections: [boardView] })
    await a.ready
    // It hears no announcement at all, so it checks every append against the log.
    const deaf = await openDeaf({ name, commands, projections: [boardView] })
    // The deaf tab caches board-b with three cards in doing, at WIP limit 3.
    for (const id of ['c1', 'c2', 'c3', 'c4']) await deaf.dispatch(addCard({ boardId: 'b', cardId: id, title: id }))
    for (const id of ['c1', 'c2', 'c3']) await deaf.dispatch(moveCard({ boardId: 'b', cardId: id, to: 'doing' }))
    // Meanwhile the other tab frees a place in doing, adds c5, and compacts all of it away.
    await a.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'todo' }))
    const added = await a.dispatch(addCard({ boardId: 'b', cardId: 'c5', title: 'c5' }))
    await a.compact({ before: added.position + 1 })
    expect(deaf.horizon).toBe(0)

    // On its stale cache c5 does not exist and doing is full; the log says otherwise.
    await expect(deaf.dispatch(addCard({ boardId: 'b', cardId: 'c5', title: 'stale' }))).rejects.toMatchObject({ code: 'card-exists' })
    const moved = await deaf.dispatch(moveCard({ boardId: 'b', cardId: 'c4', to: 'doing' }))
    expect(moved.eventCount).toBe(1)
    // Its read models were behind the horizon: they started again from the stored checkpoints.
    expect(deaf.horizon).toBe(added.position)
    expect(deaf.read(boardView).columns).toEqual({ todo: ['c1', 'c5'], doing: ['c2', 'c3', 'c4'] })
    await a.settled()
    await reached(a, moved.position)
    expect(a.read(boardView)).toEqual(deaf.read(boardView))
    // One event per version: nothing was written on a version the compaction removed.
    const events = await a.log({ after: added.position })
    expect(events.map((e) => [e.type, e.version])).toEqual([['CardMoved', 10]])
  })
})
