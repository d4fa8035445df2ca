// Envelope fields in range: what a store writes (dispatch options, stream names) and what it takes
// from a sync server. A time no Date can show (`at: 1e308`) must never reach the log, where every
// view that formats it would throw for every reader.
import { describe, expect, it } from 'vitest'
import { BehaviorSubject } from 'rxjs'
import * as v from 'valibot'
import { createStore, defineAggregate, defineCommand, defineEvent, isChronicleError, memoryStorage, type SyncConnector } from '../index'
import { envelopeIssues, envelopeLimits, syncOutbox, type ConfirmedEvent, type SyncHost } from '../sync/index'
import { addCard, boardView, commands } from './fixtures'

const valid = {
  id: 'e1',
  seq: 1,
  stream: 'board-b',
  version: 1,
  type: 'CardAdded',
  schemaVersion: 1,
  payload: { cardId: 'c1', column: 'todo', title: 't' },
  meta: { commandId: 'c1', causationId: 'c1', correlationId: 'c1', at: 1_700_000_000_000, origin: 'server' },
}

describe('envelope ranges', () => {
  it('envelopeIssues names every field out of range, and passes a valid envelope', () => {
    expect(envelopeIssues(valid)).toEqual([])
    const { seq: _unplaced, ...unplaced } = valid
    expect(envelopeIssues(unplaced)).toEqual([])
    const bad = {
      ...valid,
      id: '',
      seq: -1,
      stream: 'x'.repeat(envelopeLimits.streamLength + 1),
      version: 0,
      type: 'x'.repeat(201),
      schemaVersion: 1.5,
      meta: { commandId: 'x'.repeat(201), causationId: 3, correlationId: '', at: 1e308, origin: 'x'.repeat(201) },
    }
    expect(envelopeIssues(bad as never, 'events.0').map((i) => i.path)).toEqual([
      'events.0.id',
      'events.0.seq',
      'events.0.stream',
      'events.0.version',
      'events.0.type',
      'events.0.schemaVersion',
      'events.0.meta.commandId',
      'events.0.meta.causationId',
      'events.0.meta.correlationId',
      'events.0.meta.at',
      'events.0.meta.origin',
    ])
    for (const at of [-1, 8.64e15 + 1, Infinity, NaN, '1']) expect(envelopeIssues({ ...valid, meta: { ...valid.meta, at } } as never).map((i) => i.path)).toEqual(['meta.at'])
    expect(() => new Date(envelopeLimits.maxTime).toISOString()).not.toThrow()
  })

  it('refuses dispatch options an envelope cannot carry, writing nothing', async () => {
    const storage = memoryStorage()
    const store = createStore({ name: 'k', commands, projections: [boardView], storage })
    const payload = { boardId: 'b', cardId: 'c1', title: 't' }
    for (const [options, path] of [
      [{ at: 1e308 }, 'options.at'],
      [{ at: -5 }, 'options.at'],
      [{ at: Number.NaN }, 'options.at'],
      [{ commandId: 'x'.repeat(201) }, 'options.commandId'],
      [{ commandId: '' }, 'options.commandId'],
      [{ causationId: 'x'.repeat(201) }, 'options.causationId'],
    ] as const) {
      const error = await store.dispatch(addCard(payload, options)).catch((e: unknown) => e)
      expect(isChronicleError(error, 'ValidationError') && [error.code, error.issues.map((i) => i.path)]).toEqual(['invalid-command', [path]])
    }
    expect(await (await storage.open('k')).readLog(0)).toEqual([])
    // At the edges of the range, a command runs.
    const last = await store.dispatch(addCard(payload, { at: envelopeLimits.maxTime }))
    await store.dispatch(addCard({ ...payload, cardId: 'c2' }, { at: 0 }))
    expect(store.read(boardView).count).toBe(2)
    // An undo is an envelope too.
    const undo = await store.undoCommand(last.commandId, { at: 1e308 }).catch((e: unknown) => e)
    expect(isChronicleError(undo, 'ValidationError') && [undo.code, undo.issues.map((i) => i.path)]).toEqual(['invalid-command', ['options.at']])
    expect(await (await storage.open('k')).readLog(0)).toHaveLength(2)
  })

  it('refuses a stream name longer than an envelope takes', async () => {
    const Noted = defineEvent('Noted', v.object({ text: v.string() }))
    const notes = defineAggregate({ name: 'notes', events: [Noted], initial: () => ({}), evolve: { Noted: () => undefined } })
    const note = defineCommand({ type: 'note', schema: v.object({ stream: v.string() }), aggregate: notes, stream: (c) => c.stream, handle: () => Noted({ text: 't' }) })
    const store = createStore({ name: 'n', commands: [note], storage: memoryStorage() })
    const error = await store.dispatch(note({ stream: 's'.repeat(envelopeLimits.streamLength + 1) })).catch((e: unknown) => e)
    expect(isChronicleError(error, 'HandlerError') && error.code).toBe('invalid-stream')
    expect((await store.dispatch(note({ stream: 's'.repeat(envelopeLimits.streamLength) }))).eventCount).toBe(1)
  })

  it('refuses events from a sync server whose envelopes are out of range, storing nothing of the update', async () => {
    let host: SyncHost | undefined
    const link: SyncConnector = {
      outbox: syncOutbox,
      connect(h) {
        host = h
        return { status$: new BehaviorSubject({ online: true, pushing: false, pulling: false, lastError: undefined }), stop: () => (host = undefined) }
      },
    }
    const storage = memoryStorage()
    const store = createStore({ name: 'k', commands, projections: [boardView], storage, sync: link })
    await store.ready
    await expect.poll(() => host).toBeDefined()
    const { seq: _seq, ...event } = valid
    const good: ConfirmedEvent = { ...event, position: 1 }
    const hostile: ConfirmedEvent = { ...event, id: 'e2', version: 2, payload: { cardId: 'c2', column: 'todo', title: 'x' }, meta: { ...event.meta, at: 1e308 }, position: 2 }
    const error = await host!.receive({ events: [good, hostile], settled: [], rejected: [], position: 2 }).catch((e: unknown) => e)
    expect(isChronicleError(error, 'ValidationError') && [error.code, error.issues.map((i) => i.path)]).toEqual(['invalid-event', ['events.1.meta.at']])
    expect(await (await storage.open('k')).readLog(0)).toEqual([])
    expect(store.read(boardView).count).toBe(0)
    // The same update without the bad event is taken.
    await host!.receive({ events: [good], settled: [], rejected: [], position: 1 })
    expect(store.read(boardView).count).toBe(1)
  })
})
