// Property: whatever interleaving of commands, undo, redo, catch-up between two stores on one log
// and sync rebase, every read model ends equal to a plain fold of the final log (events of undone
// commands left out), and so does a store rebuilt from that log.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createStore, memoryStorage, type AnyProjectionDefinition, type CommandInput, type EventEnvelope, type Store } from '../index'
import { addCard, boardView, commands, moveCard, titles } from './fixtures'
import { loopbackServer } from './loopback'

type Handler = (draft: unknown, payload: unknown, envelope: EventEnvelope) => void

/** The reference model: undo state from the history events, then the handlers over the rest. */
function fold(projection: AnyProjectionDefinition, log: readonly EventEnvelope[]): unknown {
  const undone = new Set<string>()
  for (const e of log) {
    const target = (e.payload as { commandId?: string }).commandId
    if (e.type === 'Undone' && target) undone.add(target)
    if (e.type === 'Redone' && target) undone.delete(target)
  }
  const state = structuredClone(projection.initial)
  const handlers = projection.on as Record<string, Handler | undefined>
  for (const e of log) if (e.type !== 'Undone' && e.type !== 'Redone' && !undone.has(e.meta.commandId)) handlers[e.type]?.(state, e.payload, e)
  return state
}

const boardId = fc.constantFrom('b1', 'b1', 'b2')
const cardId = fc.constantFrom('c1', 'c2', 'c3', 'c4')
const command: fc.Arbitrary<CommandInput> = fc.oneof(
  fc.record({ boardId, cardId, title: fc.constantFrom('a', 'b') }).map((p) => addCard(p)),
  fc.record({ boardId, cardId, to: fc.constantFrom('todo', 'doing', 'done') }).map((p) => moveCard(p)),
)
const step = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('dispatch' as const), store: fc.constantFrom(0, 1), command }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('undo' as const), store: fc.constantFrom(0, 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('redo' as const), store: fc.constantFrom(0, 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('settle' as const), store: fc.constantFrom(0, 1) }) },
)
const projections = [boardView, titles] as const
/** Longer logs, more undo and redo (mostly from one store), so jumps and undo reach back past snapshots. */
const manyCards = fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8')
const travelCommand: fc.Arbitrary<CommandInput> = fc.oneof(
  fc.record({ boardId, cardId: manyCards, title: fc.constantFrom('a', 'b') }).map((p) => addCard(p)),
  fc.record({ boardId, cardId: manyCards, to: fc.constantFrom('todo', 'doing', 'done') }).map((p) => moveCard(p)),
)
const travelStep = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('dispatch' as const), store: fc.constantFrom(0, 0, 1), command: travelCommand }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('undo' as const), store: fc.constant(0) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('redo' as const), store: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('settle' as const), store: fc.constantFrom(0, 1) }) },
)

async function play(stores: readonly Store[], steps: readonly { kind: string; store: number; command?: CommandInput }[]) {
  for (const s of steps) {
    const store = stores[s.store]!
    // Refusals (rules, undo conflicts, nothing to undo) are part of the game.
    if (s.kind === 'dispatch') await store.dispatch(s.command!).catch(() => undefined)
    else if (s.kind === 'undo') await store.history.undo().catch(() => undefined)
    else if (s.kind === 'redo') await store.history.redo().catch(() => undefined)
    else await store.settled()
  }
}

describe('history (property)', () => {
  it('two stores on one log with undo and redo end at a plain fold of the log', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        const storage = memoryStorage()
        const stores = [0, 1].map(() => createStore({ name: 'p', commands, projections, storage, snapshotEvery: 3 }))
        await play(stores, steps)
        const log = await stores[0]!.log()
        for (const store of stores) {
          await store.settled()
          for (const projection of projections) expect(store.read(projection)).toEqual(fold(projection, log))
        }
        const rebuilt = createStore({ name: 'p', commands, projections: projections.map((p) => ({ ...p, version: 2 })), storage })
        await rebuilt.ready
        for (const [i, projection] of projections.entries()) expect(rebuilt.read(rebuilt.projections[i]!)).toEqual(fold(projection, log))
      }),
      { numRuns: 60 },
    )
  })

  it('travel to any position equals a plain fold of the log up to it, with or without the index, across undo and redo', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(travelStep, { minLength: 10, maxLength: 80, size: 'max' }), fc.array(travelStep, { maxLength: 20 }), fc.boolean(), fc.integer({ min: 1, max: 5 }), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), async (before, after, prepare, every, picks) => {
        const storage = memoryStorage()
        const stores = [0, 1].map(() => createStore({ name: 't', commands, projections, storage, snapshotEvery: every }))
        await play(stores, before)
        if (prepare) await stores[0]!.prepareTravel()
        // Undo, redo and the other store's events after the index was built keep it true.
        await play(stores, after)
        const store = stores[0]!
        await store.settled()
        const log = await store.log()
        for (const pick of picks) {
          const p = pick % (log.length + 1)
          await store.travel(p)
          for (const projection of projections) expect(store.read(projection)).toEqual(fold(projection, log.slice(0, p)))
          expect(await store.stateAt(titles, p)).toEqual(fold(titles, log.slice(0, p)))
        }
        await store.travel(null)
        for (const projection of projections) expect(store.read(projection)).toEqual(fold(projection, log))
      }),
      { numRuns: 60 },
    )
  })

  it('two synced clients converge on the server’s log after random offline work and rebases', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 4, arbitrary: fc.record({ kind: fc.constant('dispatch' as const), store: fc.constantFrom(0, 1), command }) }, { weight: 1, arbitrary: fc.record({ kind: fc.constant('sync' as const), store: fc.constantFrom(0, 1) }) }), { maxLength: 25 }),
        async (steps) => {
          const { server, client } = loopbackServer(commands)
          const links = [client(), client()]
          const stores = links.map((link) => createStore({ name: 'c', commands, projections, storage: memoryStorage(), sync: link }))
          await Promise.all(stores.map((s) => s.ready))
          for (const s of steps) {
            if (s.kind === 'dispatch') await stores[s.store]!.dispatch(s.command).catch(() => undefined)
            else await links[s.store]!.round()
          }
          for (const link of links) await link.round()
          for (const link of links) await link.round()
          const log = await server.log()
          for (const store of stores) {
            expect(store.sync?.status.pending).toBe(0)
            for (const projection of projections) expect(store.read(projection)).toEqual(fold(projection, log))
          }
        },
      ),
      { numRuns: 60 },
    )
  })
})
