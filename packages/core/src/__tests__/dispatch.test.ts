import { describe, expect, it } from 'vitest'
import * as v from 'valibot'
import { z } from 'zod'
import { createStore, defineAggregate, defineCommand, defineEvent, isChronicleError, memoryStorage, type StorageBackend } from '../index'
import { type EventLogStorage } from '../storage/index'
import { addCard, board, boardView, CardAdded, commands, moveCard } from './fixtures'

const open = (storage: StorageBackend = memoryStorage(), extra: Partial<Parameters<typeof createStore>[0]> = {}) =>
  createStore({ name: 'kanban', commands, projections: [boardView], storage, ...extra })

async function logOf(storage: StorageBackend) {
  const log = await storage.open('kanban')
  return log.readLog(0)
}

/** A backend whose logs count append calls (one call = one transaction). */
function counting(inner: StorageBackend) {
  const calls: number[] = []
  const backend: StorageBackend = {
    kind: 'memory',
    async open(name) {
      const log = await inner.open(name)
      return { ...log, append: (batch) => (calls.push(batch.length), log.append(batch)) } satisfies EventLogStorage
    },
  }
  return { backend, calls }
}

describe('dispatch', () => {
  it('answers with a receipt and writes one envelope per event', async () => {
    const storage = memoryStorage()
    const store = open(storage)
    const receipt = await store.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 'Write docs' }))
    expect(receipt).toEqual({ commandId: expect.any(String), position: 1, eventCount: 1, duplicate: false })
    const [event] = await logOf(storage)
    expect(event).toMatchObject({
      seq: 1,
      stream: 'board-b1',
      version: 1,
      type: 'CardAdded',
      schemaVersion: 1,
      payload: { cardId: 'c1', column: 'todo', title: 'Write docs' },
      meta: { commandId: receipt.commandId, causationId: receipt.commandId, correlationId: receipt.commandId, origin: store.origin },
    })
    expect(typeof event!.id).toBe('string')
    expect(event!.meta.at).toBeGreaterThan(0)
  })

  it('refuses an invalid payload with the schema issues and writes nothing', async () => {
    const storage = memoryStorage()
    const store = open(storage)
    const error = await store.dispatch(addCard({ boardId: 'b1', cardId: 7 as unknown as string, title: 'x' })).catch((e: unknown) => e)
    expect(isChronicleError(error, 'ValidationError')).toBe(true)
    if (!isChronicleError(error, 'ValidationError')) return
    expect(error.code).toBe('invalid-command')
    expect(error.issues).toEqual([expect.objectContaining({ path: 'cardId' })])
    const missing = await store.dispatch(addCard({ boardId: 'b1' } as never)).catch((e: unknown) => e)
    expect(isChronicleError(missing, 'ValidationError') && missing.issues.map((i) => i.path).sort()).toEqual(['cardId', 'title'])
    expect(await logOf(storage)).toEqual([])
  })

  it('accepts zod schemas too', async () => {
    const Noted = defineEvent('Noted', z.object({ text: z.string().min(1) }))
    const notes = defineAggregate({ name: 'notes', events: [Noted], initial: () => ({ count: 0 }), evolve: { Noted: (d) => void d.count++ } })
    const note = defineCommand({
      type: 'note',
      schema: z.object({ text: z.string().trim() }),
      aggregate: notes,
      stream: () => 'notes',
      handle: (_state, cmd) => Noted({ text: cmd.text }),
    })
    const store = createStore({ name: 'z', commands: [note], storage: memoryStorage() })
    await expect(store.dispatch(note({ text: '  hi  ' }))).resolves.toMatchObject({ position: 1 })
    const invalid = await store.dispatch(note({ text: 3 as unknown as string })).catch((e: unknown) => e)
    expect(isChronicleError(invalid, 'ValidationError')).toBe(true)
    // The handler's event fails its own schema (empty text): a HandlerError, nothing written.
    const empty = await store.dispatch(note({ text: '   ' })).catch((e: unknown) => e)
    expect(isChronicleError(empty, 'HandlerError') && empty.code).toBe('invalid-event')
    expect(store.position).toBe(1)
  })

  it('refuses unknown commands and non-commands', async () => {
    const store = open()
    const error = await store.dispatch({ type: 'nope', payload: {}, options: {} }).catch((e: unknown) => e)
    expect(isChronicleError(error, 'ValidationError') && error.code).toBe('unknown-command')
    const garbage = await store.dispatch(null as never).catch((e: unknown) => e)
    expect(isChronicleError(garbage, 'ValidationError') && garbage.code).toBe('unknown-command')
  })

  it('reports business rules as RuleViolation and writes nothing', async () => {
    const storage = memoryStorage()
    const store = open(storage)
    await store.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 'a' }))
    const error = await store.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 'b' })).catch((e: unknown) => e)
    expect(isChronicleError(error, 'RuleViolation') && error.code).toBe('card-exists')
    expect(await logOf(storage)).toHaveLength(1)
  })

  it('refuses with Unauthorized when authorize says no, using the principal', async () => {
    const Archived = defineEvent('Archived', v.object({ id: v.string() }))
    const items = defineAggregate({ name: 'items', events: [Archived], initial: () => ({}), evolve: {} })
    const archive = defineCommand({
      type: 'archive',
      schema: v.object({ id: v.string() }),
      aggregate: items,
      stream: (c) => c.id,
      authorize: (_c, ctx) => (ctx.principal as { role: string }).role === 'admin',
      handle: (_s, c) => Archived({ id: c.id }),
    })
    const member = createStore({ name: 'a', commands: [archive], storage: memoryStorage(), principal: { role: 'member' } })
    const error = await member.dispatch(archive({ id: 'x' })).catch((e: unknown) => e)
    expect(isChronicleError(error, 'Unauthorized')).toBe(true)
    const admin = createStore({ name: 'a', commands: [archive], storage: memoryStorage(), principal: () => ({ role: 'admin' }) })
    await expect(admin.dispatch(archive({ id: 'x' }))).resolves.toMatchObject({ eventCount: 1 })
  })

  it('wraps handler bugs in HandlerError: throws, bad return values, async handlers', async () => {
    const Done = defineEvent('Done', v.object({}))
    const agg = defineAggregate({ name: 'agg', events: [Done], initial: () => ({}), evolve: {} })
    const make = (type: string, handle: () => unknown) =>
      defineCommand({ type, schema: v.object({}), aggregate: agg, stream: () => 's', handle: handle as never })
    const cases = [
      make('throws', () => {
        throw new TypeError('boom')
      }),
      make('returnsString', () => 'nope'),
      make('returnsUnknownEvent', () => ({ type: 'Other', payload: {} })),
      make('returnsPromise', async () => Done({})),
    ]
    const storage = memoryStorage()
    const store = createStore({ name: 'h', commands: cases, storage })
    const codes = []
    for (const c of cases) {
      const error = await store.dispatch(c({})).catch((e: unknown) => e)
      expect(isChronicleError(error, 'HandlerError')).toBe(true)
      codes.push((error as { code: string }).code)
    }
    expect(codes).toEqual(['handler-threw', 'invalid-event', 'invalid-event', 'async-handler'])
    expect(await (await storage.open('h')).readLog(0)).toEqual([])
  })

  it('refuses a handler that changes the state it was given, and the state stays whole', async () => {
    const sneaky = defineCommand({
      type: 'sneaky',
      schema: v.object({ boardId: v.string() }),
      aggregate: board,
      stream: (c) => `board-${c.boardId}`,
      handle: (state) => {
        ;(state.cards as Record<string, unknown>).hacked = { column: 'x', title: 'x' }
        return []
      },
    })
    const store = createStore({ name: 's', commands: [...commands, sneaky], projections: [boardView], storage: memoryStorage() })
    await store.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 'a' }))
    const error = await store.dispatch(sneaky({ boardId: 'b1' })).catch((e: unknown) => e)
    expect(isChronicleError(error, 'HandlerError') && error.code).toBe('handler-threw')
    // The aggregate state is untouched: moving the hacked card is refused as missing.
    const missing = await store.dispatch(moveCard({ boardId: 'b1', cardId: 'hacked', to: 'doing' })).catch((e: unknown) => e)
    expect(isChronicleError(missing, 'RuleViolation') && missing.code).toBe('card-missing')
  })

  it('acknowledges a command whose handler returns no events without writing', async () => {
    const storage = memoryStorage()
    const store = open(storage)
    const added = await store.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 'a' }))
    const noop = await store.dispatch(moveCard({ boardId: 'b1', cardId: 'c1', to: 'todo' }))
    expect(noop).toMatchObject({ eventCount: 0, position: added.position })
    expect(await logOf(storage)).toHaveLength(1)
  })

  it('group-commits a burst in one transaction, each command with its own receipt or error', async () => {
    const { backend, calls } = counting(memoryStorage())
    const store = open(backend)
    await store.ready
    const results = await Promise.allSettled([
      store.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 'a' })),
      store.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 'dup' })),
      store.dispatch(addCard({ boardId: 'b2', cardId: 'c2', title: 'b' })),
      store.dispatch(moveCard({ boardId: 'b1', cardId: 'c1', to: 'doing' })),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect(calls).toEqual([3])
    const positions = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.position] : []))
    expect(positions).toEqual([1, 2, 3])
    expect(store.read(boardView).columns).toEqual({ todo: ['c2'], doing: ['c1'] })
  })

  it('commits commands in dispatch order, one group commit, even when an earlier admission is slower', async () => {
    const Noted = defineEvent('Noted', v.object({ text: v.string() }))
    const notes = defineAggregate({ name: 'notes', events: [Noted], initial: () => ({}), evolve: {} })
    // The first command's authorize waits a few ticks longer than the others' (an async lookup).
    const slowNote = defineCommand({
      type: 'slowNote',
      schema: v.object({ text: v.string() }),
      aggregate: notes,
      stream: () => 'n',
      authorize: async () => {
        for (let i = 0; i < 5; i++) await Promise.resolve()
        return true
      },
      handle: (_s, c) => Noted({ text: c.text }),
    })
    const note = defineCommand({ type: 'note', schema: v.object({ text: v.string() }), aggregate: notes, stream: () => 'n', handle: (_s, c) => Noted({ text: c.text }) })
    const rejected = defineCommand({ type: 'rejected', schema: v.object({ text: v.string() }), aggregate: notes, stream: () => 'n', authorize: () => false, handle: (_s, c) => Noted({ text: c.text }) })
    const { backend, calls } = counting(memoryStorage())
    const store = createStore({ name: 'kanban', commands: [slowNote, note, rejected], storage: backend })
    await store.ready
    const results = await Promise.allSettled([store.dispatch(slowNote({ text: '1' })), store.dispatch(rejected({ text: 'x' })), store.dispatch(note({ text: '2' })), store.dispatch(note({ text: '3' }))])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect((await logOf(backend)).map((e) => (e.payload as { text: string }).text)).toEqual(['1', '2', '3'])
    expect(calls).toEqual([3])
  })

  it('executes a command with an explicit commandId once', async () => {
    const storage = memoryStorage()
    const store = open(storage)
    const first = await store.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 'a' }, { commandId: 'cmd-1' }))
    // The same repeat, whose own first run now makes its rule fail, is still a duplicate; so is one
    // whose payload lists the same values in another key order.
    const repeat = await store.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 'a' }, { commandId: 'cmd-1' }))
    expect(repeat).toEqual({ commandId: 'cmd-1', position: first.position, eventCount: 0, duplicate: true })
    const reordered = await store.dispatch(addCard({ title: 'a', cardId: 'c1', boardId: 'b1' }, { commandId: 'cmd-1' }))
    expect(reordered).toEqual({ commandId: 'cmd-1', position: first.position, eventCount: 0, duplicate: true })
    expect(await logOf(storage)).toHaveLength(1)
  })

  it('refuses a commandId reused with another payload or command type, and writes nothing', async () => {
    const storage = memoryStorage()
    const store = open(storage)
    const first = await store.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 'a' }, { commandId: 'cmd-1' }))
    // A payload the rules would let through (the append itself tells), one they refuse (the
    // refusal is checked against the log), another stream and another command type.
    const attempts = [
      addCard({ boardId: 'b1', cardId: 'c9', title: 'b' }, { commandId: 'cmd-1' }),
      addCard({ boardId: 'b1', cardId: 'c1', title: 'changed' }, { commandId: 'cmd-1' }),
      addCard({ boardId: 'b2', cardId: 'c1', title: 'a' }, { commandId: 'cmd-1' }),
      moveCard({ boardId: 'b1', cardId: 'c1', to: 'doing' }, { commandId: 'cmd-1' }),
    ]
    for (const attempt of attempts) {
      const error = await store.dispatch(attempt).catch((e: unknown) => e)
      expect(isChronicleError(error, 'ValidationError') && error.code).toBe('idempotency-key-reused')
      expect(String((error as Error).message)).toContain('cmd-1')
    }
    expect((await logOf(storage)).map((e) => e.seq)).toEqual([first.position])
    expect(store.read(boardView).columns).toEqual({ todo: ['c1'] })
    // Two commands of one burst under one id: the first runs, the second is refused.
    const [a, b] = await Promise.allSettled([
      store.dispatch(addCard({ boardId: 'b3', cardId: 'x', title: 'x' }, { commandId: 'cmd-2' })),
      store.dispatch(addCard({ boardId: 'b3', cardId: 'y', title: 'y' }, { commandId: 'cmd-2' })),
    ])
    expect(a.status === 'fulfilled' && a.value.duplicate).toBe(false)
    expect(b.status === 'rejected' && isChronicleError(b.reason, 'ValidationError') && b.reason.code).toBe('idempotency-key-reused')
    expect(await logOf(storage)).toHaveLength(2)
  })

  it('two stores on one log racing on one stream lose and duplicate nothing', async () => {
    const storage = memoryStorage()
    const a = open(storage)
    const b = open(storage)
    const burst = (store: typeof a, prefix: string) =>
      Array.from({ length: 50 }, (_, i) => store.dispatch(addCard({ boardId: 'b1', cardId: `${prefix}${i}`, title: 't' })))
    const receipts = await Promise.all([...burst(a, 'a'), ...burst(b, 'b')])
    expect(receipts).toHaveLength(100)
    const log = await logOf(storage)
    expect(log.map((e) => e.version)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(new Set(log.map((e) => (e.payload as { cardId: string }).cardId)).size).toBe(100)
    // Each store's write model saw the other's events before deciding (no lost update).
    const dup = await b.dispatch(addCard({ boardId: 'b1', cardId: 'a3', title: 't' })).catch((e: unknown) => e)
    expect(isChronicleError(dup, 'RuleViolation')).toBe(true)
  })

  it('checks a rule violation against the log before reporting it (another writer may have moved on)', async () => {
    const storage = memoryStorage()
    const a = open(storage)
    const b = open(storage)
    for (const id of ['c1', 'c2', 'c3', 'c4']) await a.dispatch(addCard({ boardId: 'b1', cardId: id, title: id }))
    for (const id of ['c1', 'c2', 'c3']) await a.dispatch(moveCard({ boardId: 'b1', cardId: id, to: 'doing' }))
    // Store a now caches a full `doing` column; store b frees a slot.
    await b.dispatch(moveCard({ boardId: 'b1', cardId: 'c1', to: 'done' }))
    await expect(a.dispatch(moveCard({ boardId: 'b1', cardId: 'c4', to: 'doing' }))).resolves.toMatchObject({ eventCount: 1 })
    // And a real violation is still reported.
    const error = await a.dispatch(moveCard({ boardId: 'b1', cardId: 'c1', to: 'doing' })).catch((e: unknown) => e)
    expect(isChronicleError(error, 'RuleViolation') && error.code).toBe('wip-limit')
  })

  it('gives up with ConcurrencyConflict when the stream keeps changing under the command', async () => {
    const inner = memoryStorage()
    const rival = open(inner)
    let n = 0
    const backend: StorageBackend = {
      kind: 'memory',
      async open(name) {
        const log = await inner.open(name)
        return {
          ...log,
          // Before every append, another writer gets its event into the same stream first.
          append: async (batch) => {
            await rival.dispatch(addCard({ boardId: 'b1', cardId: `rival${n++}`, title: 'r' }))
            return log.append(batch)
          },
        }
      },
    }
    const store = open(backend, { maxAttempts: 3 })
    const error = await store.dispatch(addCard({ boardId: 'b1', cardId: 'mine', title: 'm' })).catch((e: unknown) => e)
    expect(isChronicleError(error, 'ConcurrencyConflict') && error.code).toBe('concurrency-conflict')
    expect(n).toBe(3)
    const log = await logOf(inner)
    expect(log.map((e) => (e.payload as { cardId: string }).cardId)).toEqual(['rival0', 'rival1', 'rival2'])
  })

  it('reads old event versions through upcasters', async () => {
    const storage = memoryStorage()
    const V1 = defineEvent('Titled', v.object({ title: v.string() }))
    const aggV1 = defineAggregate({ name: 't', events: [V1], initial: () => ({ titles: [] as string[] }), evolve: { Titled: (d, e) => void d.titles.push(e.title) } })
    const titleV1 = defineCommand({ type: 'title', schema: v.object({ title: v.string() }), aggregate: aggV1, stream: () => 't', handle: (_s, c) => V1(c) })
    const old = createStore({ name: 'up', commands: [titleV1], storage })
    await old.dispatch(titleV1({ title: 'first' }))
    await old.close()

    const V2 = defineEvent('Titled', v.object({ title: v.string(), priority: v.picklist(['low', 'normal']) }), {
      version: 2,
      upcast: { 1: (p: { title: string }) => ({ ...p, priority: 'normal' }) },
    })
    const aggV2 = defineAggregate({
      name: 't',
      events: [V2],
      initial: () => ({ titles: [] as string[] }),
      evolve: { Titled: (d, e) => void d.titles.push(`${e.title}:${e.priority}`) },
    })
    const titleV2 = defineCommand({
      type: 'title',
      schema: v.object({ title: v.string() }),
      aggregate: aggV2,
      stream: () => 't',
      handle: (s, c) => {
        if (s.titles.length !== 1 || s.titles[0] !== 'first:normal') throw new Error(`state was ${JSON.stringify(s)}`)
        return V2({ title: c.title, priority: 'low' })
      },
    })
    const next = createStore({ name: 'up', commands: [titleV2], storage })
    await expect(next.dispatch(titleV2({ title: 'second' }))).resolves.toMatchObject({ position: 2 })
    const log = await (await storage.open('up')).readLog(0)
    expect(log.map((e) => e.schemaVersion)).toEqual([1, 2])
  })

  it('refuses to define an event version without every upcaster', () => {
    expect(() => defineEvent('X', v.object({}), { version: 3, upcast: { 1: (p) => p } })).toThrow(/upcaster from version 2/)
  })

  it('rejects dispatches after close with a StorageError', async () => {
    const store = open()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c', title: 't' }))
    await store.close()
    const error = await store.dispatch(addCard({ boardId: 'b', cardId: 'd', title: 't' })).catch((e: unknown) => e)
    expect(isChronicleError(error, 'StorageError') && error.code).toBe('closed')
  })

  it('keeps the aggregate state consistent across many commands (CardAdded rebuilds the same state)', async () => {
    const storage = memoryStorage()
    const store = open(storage)
    for (let i = 0; i < 5; i++) await store.dispatch(addCard({ boardId: 'b', cardId: `c${i}`, title: 't' }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c0', to: 'doing' }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c2', to: 'doing' }))
    const fresh = open(storage)
    const error = await fresh.dispatch(moveCard({ boardId: 'b', cardId: 'c3', to: 'doing' })).catch((e: unknown) => e)
    expect(isChronicleError(error, 'RuleViolation') && error.code).toBe('wip-limit')
    void board
    void CardAdded
  })
})
