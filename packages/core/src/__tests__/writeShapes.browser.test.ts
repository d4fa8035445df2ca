// What the write path must keep on domains where each entity is its own aggregate (issue #18), in
// real Chromium IndexedDB: two stores on one database name are two tabs (BroadcastChannel, Web
// Locks). Each command records the state it was decided on (`seen`), so a decision on a stale
// state shows in the log, and versions show a lost or doubled write.
import { afterEach, describe, expect, it } from 'vitest'
import * as v from 'valibot'
import { createStore, defineAggregate, defineCommand, defineEvent, indexedDbStorage, isChronicleError, RuleViolation, type EventEnvelope, type Store, type StoreOptions } from '../index'

const ItemCreated = defineEvent('ItemCreated', v.object({ id: v.string() }))
const ItemBumped = defineEvent('ItemBumped', v.object({ id: v.string(), seen: v.number() }))

/** One item per stream: created once, then bumped; each bump records how many bumps it saw. */
const item = defineAggregate({
  name: 'item',
  events: [ItemCreated, ItemBumped],
  initial: () => ({ exists: false, bumps: 0 }),
  evolve: {
    ItemCreated: (draft) => {
      draft.exists = true
    },
    ItemBumped: (draft) => {
      draft.bumps++
    },
  },
})

const streamOf = (id: string) => `item-${id}`

const createItem = defineCommand({
  type: 'createItem',
  schema: v.object({ id: v.string() }),
  aggregate: item,
  stream: (c) => streamOf(c.id),
  handle: (state, c) => {
    if (state.exists) throw new RuleViolation('item-exists', `Item ${c.id} exists`)
    return ItemCreated({ id: c.id })
  },
})

const bumpItem = defineCommand({
  type: 'bumpItem',
  schema: v.object({ id: v.string() }),
  aggregate: item,
  stream: (c) => streamOf(c.id),
  handle: (state, c) => {
    if (!state.exists) throw new RuleViolation('item-missing', `Item ${c.id} does not exist`)
    return ItemBumped({ id: c.id, seen: state.bumps })
  },
})

const commands = [createItem, bumpItem]
const stores: Store[] = []
let counter = 0
const uniqueName = () => `write-shapes-${Date.now()}-${counter++}`
const open = (options: Omit<StoreOptions, 'commands'>) => {
  const store = createStore({ commands, storage: indexedDbStorage(), persist: false, ...options })
  stores.push(store)
  return store
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)))
})

/** A stream's events as the log holds them. */
async function eventsOf(store: Store, id: string): Promise<EventEnvelope[]> {
  return (await store.log()).filter((e) => e.stream === streamOf(id))
}

const versions = (events: readonly EventEnvelope[]) => events.map((e) => e.version)
const seen = (events: readonly EventEnvelope[]) => events.filter((e) => e.type === 'ItemBumped').map((e) => (e.payload as { seen: number }).seen)

describe('per-entity streams on the write path (real IndexedDB, two tabs)', () => {
  it('two tabs creating the same new stream at once: one create wins, the other is refused, nothing doubled', async () => {
    const name = uniqueName()
    const a = open({ name })
    const b = open({ name })
    await Promise.all([a.ready, b.ready])
    const ids = Array.from({ length: 12 }, (_, i) => `new-${i}`)
    // Both tabs dispatch every create in the same task: each decides on a stream it has never loaded.
    const outcomes = await Promise.all(ids.map((id) => Promise.allSettled([a.dispatch(createItem({ id })), b.dispatch(createItem({ id }))])))
    for (const [i, pair] of outcomes.entries()) {
      const won = pair.filter((o) => o.status === 'fulfilled')
      const lost = pair.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []))
      expect(won, ids[i]).toHaveLength(1)
      expect(lost, ids[i]).toHaveLength(1)
      const refused = isChronicleError(lost[0], 'RuleViolation') && lost[0].code === 'item-exists'
      expect(refused || isChronicleError(lost[0], 'ConcurrencyConflict'), `${ids[i]}: ${String(lost[0])}`).toBe(true)
    }
    for (const id of ids) expect(versions(await eventsOf(a, id)), id).toEqual([1])
    expect((await b.log()).length).toBe(ids.length)
  })

  it.each([
    ['evicted from its cache', 2],
    ['still in its (stale) cache', 5000],
  ])('a stream %s and written by another tab: the next command decides on the current state', async (_, cachedStreams) => {
    const name = uniqueName()
    const a = open({ name, cachedStreams })
    const b = open({ name })
    await Promise.all([a.ready, b.ready])
    await a.dispatch(createItem({ id: 'x' }))
    await a.dispatch(bumpItem({ id: 'x' }))
    // Two more streams push x out of a cache of two.
    await a.dispatch(createItem({ id: 'y' }))
    await a.dispatch(createItem({ id: 'z' }))
    // The other tab writes to x; a need not have heard of it yet.
    await b.dispatch(bumpItem({ id: 'x' }))
    await b.dispatch(bumpItem({ id: 'x' }))
    await a.dispatch(bumpItem({ id: 'x' }))
    await expect(a.dispatch(createItem({ id: 'x' }))).rejects.toMatchObject({ name: 'RuleViolation', code: 'item-exists' })
    // Then both tabs at once, a few rounds: a batch that loses the race is decided again, none is lost.
    const rounds = 4
    for (let round = 0; round < rounds; round++) {
      await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).dispatch(bumpItem({ id: 'x' }))))
    }
    const events = await eventsOf(b, 'x')
    const count = 5 + rounds * 6
    expect(versions(events)).toEqual(Array.from({ length: count }, (_, i) => i + 1))
    // Each bump saw every bump before it, whichever tab wrote it.
    expect(seen(events)).toEqual(Array.from({ length: count - 1 }, (_, i) => i))
  })

  it('a compacted stream loaded from its snapshot by a fresh store: commands decide on the snapshot plus later events', async () => {
    const name = uniqueName()
    const a = open({ name, compaction: false })
    await a.ready
    await a.dispatch(createItem({ id: 'x' }))
    for (let i = 0; i < 3; i++) await a.dispatch(bumpItem({ id: 'x' }))
    const last = await a.dispatch(createItem({ id: 'y' }))
    const compacted = await a.compact({ before: last.position + 1 })
    expect(compacted.removed).toBe(5)
    expect(await eventsOf(a, 'x')).toEqual([])
    // One event after the horizon, then the store goes away with its cache.
    await a.dispatch(bumpItem({ id: 'x' }))
    await a.close()

    const fresh = open({ name, compaction: false })
    await fresh.ready
    await expect(fresh.dispatch(createItem({ id: 'x' }))).rejects.toMatchObject({ name: 'RuleViolation', code: 'item-exists' })
    await fresh.dispatch(bumpItem({ id: 'x' }))
    // A stream known only from its snapshot (y has no events after the horizon) exists too.
    await expect(fresh.dispatch(createItem({ id: 'y' }))).rejects.toMatchObject({ name: 'RuleViolation', code: 'item-exists' })
    await fresh.dispatch(bumpItem({ id: 'y' }))
    const x = await eventsOf(fresh, 'x')
    expect(versions(x)).toEqual([5, 6])
    expect(seen(x)).toEqual([3, 4])
    const y = await eventsOf(fresh, 'y')
    expect(versions(y)).toEqual([2])
    expect(seen(y)).toEqual([0])
  })
})
