import { describe, expect, it } from 'vitest'
import * as v from 'valibot'
import { createStore, defineAggregate, defineCommand, defineEvent, defineReaction, memoryStorage, type ChronicleError } from '../index'
import { addCard, boardView, CardMoved, commands, moveCard } from './fixtures'

const CycleRecorded = defineEvent('CycleRecorded', v.object({ cardId: v.string(), doneAt: v.number() }))
const stats = defineAggregate({
  name: 'stats',
  events: [CycleRecorded],
  initial: () => ({ done: {} as Record<string, number> }),
  evolve: { CycleRecorded: (d, e) => void (d.done[e.cardId] = e.doneAt) },
})
const recordCycle = defineCommand({
  type: 'recordCycle',
  schema: v.object({ cardId: v.string(), doneAt: v.number() }),
  aggregate: stats,
  stream: () => 'stats',
  handle: (_s, c) => CycleRecorded(c),
})

function setup() {
  const notified: string[] = []
  const cycle = defineReaction({
    name: 'cycle',
    events: [CardMoved],
    on: {
      CardMoved: (event, ctx) => {
        if (event.payload.to !== 'done') return
        ctx.effect(() => void notified.push(event.payload.cardId))
        return recordCycle({ cardId: event.payload.cardId, doneAt: event.meta.at })
      },
    },
  })
  const storage = memoryStorage()
  const make = () => createStore({ name: 'r', commands: [...commands, recordCycle], projections: [boardView], reactions: [cycle], storage })
  return { notified, storage, make }
}

describe('reactions', () => {
  it('dispatch follow-up commands with derived ids and the trigger as causation', async () => {
    const { storage, make, notified } = setup()
    const store = make()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }))
    const moved = await store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'done' }))
    const log = await storage.open('r')
    await expect.poll(async () => (await log.readLog(0)).length).toBe(3)
    const [, trigger, followUp] = await log.readLog(0)
    expect(followUp).toMatchObject({
      type: 'CycleRecorded',
      meta: { commandId: `cycle:${trigger!.id}`, causationId: trigger!.id, correlationId: moved.commandId },
    })
    await expect.poll(() => notified).toEqual(['c1'])
  })

  it('execute once when run twice (another tab, a retry) and run effects only for the winner', async () => {
    const { storage, make, notified } = setup()
    const store = make()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'done' }))
    const log = await storage.open('r')
    await expect.poll(async () => (await log.readLog(0)).length).toBe(3)
    const [, trigger] = await log.readLog(0)
    // A second tab runs the same reaction on the same event: its command is a duplicate.
    const receipt = await make().dispatch(recordCycle({ cardId: 'c1', doneAt: trigger!.meta.at }, { commandId: `cycle:${trigger!.id}` }))
    expect(receipt.duplicate).toBe(true)
    expect(await log.readLog(0)).toHaveLength(3)
    expect(notified).toEqual(['c1'])
  })

  it('never run during replay', async () => {
    const { make, notified, storage } = setup()
    const store = make()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'done' }))
    await expect.poll(() => notified.length).toBe(1)
    await store.close()
    const cold = make()
    await cold.ready
    await new Promise((r) => setTimeout(r, 20))
    expect(notified).toEqual(['c1'])
    expect(await (await storage.open('r')).readLog(0)).toHaveLength(3)
  })

  it('report failing follow-ups on errors$', async () => {
    const failing = defineReaction({
      name: 'failing',
      events: [CardMoved],
      on: { CardMoved: () => moveCard({ boardId: 'b', cardId: 'missing', to: 'x' }) },
    })
    const store = createStore({ name: 'f', commands, reactions: [failing], storage: memoryStorage() })
    const errors: ChronicleError[] = []
    store.errors$.subscribe((e) => errors.push(e))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' }))
    await expect.poll(() => errors.map((e) => e.code)).toEqual(['card-missing'])
  })

  it('refuse a reaction not made by defineReaction (it would carry no code to run it), naming it', () => {
    const made = defineReaction({ name: 'made', events: [CardMoved], on: { CardMoved: () => undefined } })
    const handMade = { kind: 'reaction', name: 'handMade', events: [CardMoved], on: { CardMoved: () => undefined } } as const
    const create = () => createStore({ name: 'h', commands, reactions: [made, handMade], storage: memoryStorage() })
    expect(create).toThrow(expect.objectContaining({ name: 'ConfigurationError', code: 'invalid-definition' }))
    expect(create).toThrow(/"handMade" was not made by defineReaction/)
  })
})
