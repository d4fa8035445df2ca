// Property: every read model is a plain fold of the log, however it was built: live by the store
// that dispatched, from a checkpoint plus the log's tail, or rebuilt after a version bump.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createStore, memoryStorage, type AnyProjectionDefinition, type CommandInput, type EventEnvelope, type StorageBackend, type Store } from '../index'
import { addCard, boardView, commands, moveCard, titles } from './fixtures'

type Handler = (draft: unknown, payload: unknown, envelope: EventEnvelope) => void

/** The model: the projection's handlers run over the whole log on a fresh copy of `initial`. */
function fold(projection: AnyProjectionDefinition, log: readonly EventEnvelope[]): unknown {
  const state = structuredClone(projection.initial)
  const handlers = projection.on as Record<string, Handler | undefined>
  for (const event of log) handlers[event.type]?.(state, event.payload, event)
  return state
}

// A small domain so commands collide: duplicate cards, moves of missing cards, full columns (the
// WIP limit is 3), moves to the same column (no events) and empty titles (the event schema refuses).
// Over 150 runs about a third of the commands write events and the rest are refused or no-ops.
const boardId = fc.constantFrom('b1', 'b1', 'b1', 'b2')
const cardId = fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5')
const command: fc.Arbitrary<CommandInput> = fc.oneof(
  fc.record({ boardId, cardId, title: fc.constantFrom('Write docs', 'Ship', 'Ship', '') }).map((payload) => addCard(payload)),
  fc.record({ boardId, cardId, to: fc.constantFrom('todo', 'doing', 'done', 'done') }).map((payload) => moveCard(payload)),
)
/**
 * Bursts of commands, each from one of two stores on the same log (two tabs): a burst shares a
 * group commit, and each store meets the other's events as a gap to read before its own.
 */
const bursts = fc.array(fc.record({ writer: fc.constantFrom(0, 1), commands: fc.array(command, { minLength: 1, maxLength: 4 }) }), { maxLength: 12 })
type Plan = typeof bursts extends fc.Arbitrary<infer T> ? T : never
/**
 * Sometimes a bulk burst first: a few hundred events in one group commit, folded in one immer
 * draft live and met as one long gap by the other store's catch-up.
 */
const bulk = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 257, max: 320 }) })
const bulkBurst = (n: number): Plan => (n ? [{ writer: 0, commands: Array.from({ length: n }, (_, i) => addCard({ boardId: 'bulk', cardId: `bulk${i}`, title: 'Bulk' })) }] : [])

const projections = [boardView, titles] as const
const name = 'kanban'
const open = (storage: StorageBackend, views: readonly AnyProjectionDefinition[] = projections) =>
  createStore({ name, commands, projections: views, storage })

async function run(writers: readonly Store[], plan: Plan) {
  for (const { writer, commands } of plan) await Promise.allSettled(commands.map((c) => writers[writer]!.dispatch(c)))
}

/** The whole log and the saved checkpoints, read over a connection of their own. */
async function stored(storage: StorageBackend) {
  const connection = await storage.open(name)
  try {
    return { log: await connection.readLog(0), checkpoints: await connection.loadCheckpoints() }
  } finally {
    connection.close()
  }
}

describe('read models (property)', () => {
  it('equal a plain fold of the log: live, from a checkpoint plus tail, and rebuilt', async () => {
    await fc.assert(
      fc.asyncProperty(bursts, bulk, bursts, fc.subarray([...projections], { minLength: 1 }), async (before, bulkSize, after, bumped) => {
        const storage = memoryStorage()
        const writers = [open(storage), open(storage)]
        const stores = [...writers]
        try {
          const [live] = writers as [Store, Store]
          await Promise.all(writers.map((w) => w.ready))
          await run(writers, before)
          await live.checkpoint()
          const checkpointAt = live.position
          await run(writers, [...bulkBurst(bulkSize), ...after])

          const { log, checkpoints } = await stored(storage)
          expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1))
          for (const [i, writer] of writers.entries()) {
            await writer.settled()
            for (const projection of projections) expect(writer.read(projection), `live ${projection.name} in store ${i}`).toEqual(fold(projection, log))
          }

          expect(checkpoints.map((c) => c.position)).toEqual(projections.map(() => checkpointAt))
          const reopened = open(storage)
          stores.push(reopened)
          await reopened.ready
          expect(reopened.position).toBe(log.length)
          for (const projection of projections) expect(reopened.read(projection), `checkpoint + tail ${projection.name}`).toEqual(fold(projection, log))

          const views = projections.map((p) => (bumped.includes(p) ? { ...p, version: p.version + 1 } : p))
          const rebuilt = open(storage, views)
          stores.push(rebuilt)
          await rebuilt.ready
          for (const view of views) expect(rebuilt.read(view), `rebuilt ${view.name} v${view.version}`).toEqual(fold(view, log))
        } finally {
          await Promise.all(stores.map((s) => s.close()))
        }
      }),
      { numRuns: 150 },
    )
  })
})
