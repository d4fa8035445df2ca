// The storage contract every server event store must keep (core's EventLogStorage semantics plus
// findCommand and onAppended), run against SQLite and PostgreSQL alike.
import { expect, it } from 'vitest'
import { commandFingerprint } from '@chronicle/core/sync'
import { createStore, isChronicleError } from '@chronicle/core'
import { type AppendCommand, type NewEvent } from '@chronicle/core/storage'
import type { ServerStorageBackend } from '../storage/serverStorage'
import { appendNote, commands } from './domain'

let ids = 0
function event(stream: string, version: number, commandId: string, payload: unknown = { n: version }): NewEvent {
  return {
    id: `e-${++ids}`,
    stream,
    version,
    type: 'NoteAppended',
    schemaVersion: 1,
    payload,
    meta: { commandId, causationId: commandId, correlationId: commandId, at: 1_700_000_000_000 + ids, origin: 'test' },
  }
}

function append(commandId: string, stream: string, expectedVersion: number, count = 1, idempotent = true): AppendCommand {
  return { commandId, stream, expectedVersion, idempotent, events: Array.from({ length: count }, (_, i) => event(stream, expectedVersion + i + 1, commandId)) }
}

/**
 * Registers the contract tests. `fresh()` gives a backend over an empty database, `reopen()` a new
 * backend (a new process, as far as the database can tell) over the same one.
 */
export function storageContract(fresh: () => Promise<{ backend: ServerStorageBackend; reopen(): ServerStorageBackend }>) {
  it('appends batches in one transaction with consecutive positions', async () => {
    const { backend } = await fresh()
    const log = await backend.open('contract')
    expect(await log.head()).toBe(0)
    const outcomes = await log.append([append('c1', 's-a', 0, 2), append('c2', 's-b', 0)])
    expect(outcomes.map((o) => o.status)).toEqual(['ok', 'ok'])
    expect(outcomes[0]!.status === 'ok' && outcomes[0]!.events.map((e) => e.seq)).toEqual([1, 2])
    expect(await log.head()).toBe(3)
    expect((await log.readLog(0)).map((e) => [e.seq, e.stream, e.version])).toEqual([[1, 's-a', 1], [2, 's-a', 2], [3, 's-b', 1]])
    expect((await log.readLog(1, { to: 2 })).map((e) => e.seq)).toEqual([2])
    expect((await log.readLog(0, { limit: 2 })).map((e) => e.seq)).toEqual([1, 2])
    expect((await log.readStream('s-a', 1)).map((e) => e.version)).toEqual([2])
    expect((await log.readCommand('c1')).map((e) => e.seq)).toEqual([1, 2])
    const [first] = await log.readLog(0, { limit: 1 })
    expect(first).toEqual({ ...append('c1', 's-a', 0, 2).events[0], id: first!.id, seq: 1, meta: { ...first!.meta } })
    expect(first!.payload).toEqual({ n: 1 })
    log.close()
  })

  it('refuses a command whose stream moved, and the batch\'s later commands on that stream, and writes its neighbours', async () => {
    const { backend } = await fresh()
    const log = await backend.open('contract')
    await log.append([append('c1', 's-a', 0)])
    // c4 was decided on top of c2 (version 1 is c2's event), so it conflicts too, although another
    // writer's c1 happens to have brought s-a to version 1 as well.
    const outcomes = await log.append([append('c2', 's-a', 0), append('c3', 's-b', 0), append('c4', 's-a', 1)])
    expect(outcomes).toEqual([{ status: 'conflict', actualVersion: 1 }, expect.objectContaining({ status: 'ok' }), { status: 'conflict', actualVersion: 1 }])
    expect((await log.readStream('s-a', 0)).map((e) => e.meta.commandId)).toEqual(['c1'])
    expect((await log.readStream('s-b', 0)).map((e) => e.meta.commandId)).toEqual(['c3'])
    // A batch whose every stream moved conflicts whole.
    expect(await log.append([append('c5', 's-a', 0), append('c6', 's-a', 1)])).toEqual([
      { status: 'conflict', actualVersion: 1 },
      { status: 'conflict', actualVersion: 1 },
    ])
    log.close()
  })

  it('skips idempotent repeats as duplicates, within a batch and across batches', async () => {
    const { backend } = await fresh()
    const log = await backend.open('contract')
    await log.append([append('c1', 's-a', 0, 2)])
    const outcomes = await log.append([append('c1', 's-a', 2), append('c2', 's-b', 0), append('c2', 's-b', 1), append('empty', 's-c', 0, 0)])
    expect(outcomes).toEqual([
      { status: 'duplicate', position: 2 },
      expect.objectContaining({ status: 'ok' }),
      { status: 'duplicate', position: 3 },
      { status: 'ok', events: [] },
    ])
    expect(await log.findCommand('c1')).toEqual({ position: 2 })
    expect(await log.findCommand('empty')).toEqual({ position: 3 })
    expect(await log.findCommand('never')).toBeUndefined()
    expect((await log.append([append('empty', 's-c', 0, 0)]))[0]).toEqual({ status: 'duplicate', position: 3 })
    expect(await log.head()).toBe(3)
    log.close()
  })

  it("keeps each idempotent command's fingerprint: a repeat with another one is reused, with none a duplicate", async () => {
    const { backend, reopen } = await fresh()
    let log = await backend.open('contract')
    const printed = (commandId: string, stream: string, expectedVersion: number, fingerprint?: string) => ({ ...append(commandId, stream, expectedVersion), ...(fingerprint ? { fingerprint } : {}) })
    const [a, b] = [commandFingerprint('t', { n: 1 }), commandFingerprint('t', { n: 2 })]
    await log.append([printed('k', 's-a', 0, a), printed('legacy', 's-b', 0)])
    expect(await log.findCommand('k')).toEqual({ position: 1, fingerprint: a })
    log.close()
    log = await reopen().open('contract')
    const outcomes = await log.append([printed('k', 's-a', 1, a), printed('k', 's-a', 1, b), printed('legacy', 's-b', 1, b), printed('new', 's-c', 0, a), printed('new', 's-c', 1, b)])
    expect(outcomes).toEqual([{ status: 'duplicate', position: 1 }, { status: 'reused' }, { status: 'duplicate', position: 2 }, expect.objectContaining({ status: 'ok' }), { status: 'reused' }])
    expect(await log.head()).toBe(3)
    log.close()
  })

  it('writes nothing of a batch whose payload is not JSON, and blames the handler', async () => {
    const { backend } = await fresh()
    const log = await backend.open('contract')
    const bad = { ...append('bad', 's-a', 0), events: [event('s-a', 1, 'bad', { big: 10n })] }
    const error = await log.append([append('good', 's-b', 0), bad]).catch((e: unknown) => e)
    expect(isChronicleError(error, 'HandlerError') && error.code).toBe('unstorable-event')
    expect(await log.head()).toBe(0)
    log.close()
  })

  it('keeps logs of different names apart, checkpoints included', async () => {
    const { backend } = await fresh()
    const one = await backend.open('one')
    const two = await backend.open('two')
    await one.append([append('c1', 's', 0)])
    expect(await two.head()).toBe(0)
    expect((await two.append([append('c1', 's', 0)]))[0]!.status).toBe('ok')
    await one.saveCheckpoints([{ name: 'view', version: 2, position: 1, state: { count: 1, names: ['a'] }, savedAt: 123 }])
    expect(await one.loadCheckpoints()).toEqual([{ name: 'view', version: 2, position: 1, state: { count: 1, names: ['a'] }, savedAt: 123 }])
    expect(await two.loadCheckpoints()).toEqual([])
    await one.saveCheckpoints([{ name: 'view', version: 3, position: 1, state: {}, savedAt: 124 }])
    expect((await one.loadCheckpoints())[0]!.version).toBe(3)
    await one.deleteCheckpoint('view')
    expect(await one.loadCheckpoints()).toEqual([])
    one.close()
    two.close()
  })

  it('tells listeners of the new head after each commit', async () => {
    const { backend } = await fresh()
    const log = await backend.open('contract')
    const heads: number[] = []
    log.onAppended((head) => heads.push(head))
    await log.append([append('c1', 's', 0, 2)])
    await log.append([append('c1', 's', 2)])
    await log.append([append('c2', 's', 2)])
    await expect.poll(() => heads.at(-1)).toBe(3)
    expect(heads).not.toContain(4)
    log.close()
  })

  it('keeps what it acknowledged across a reopen', async () => {
    const { backend, reopen } = await fresh()
    const log = await backend.open('contract')
    await log.append([append('c1', 's', 0, 3)])
    log.close()
    const again = await reopen().open('contract')
    expect((await again.readLog(0)).map((e) => e.seq)).toEqual([1, 2, 3])
    expect((await again.append([append('c1', 's', 3)]))[0]).toEqual({ status: 'duplicate', position: 3 })
    again.close()
  })

  // sharedLog as the sync server sets it on PostgreSQL: cached states catch up instead of folding again.
  it.each([false, true])('runs a core store, and two stores racing on one stream (two processes) both get through (sharedLog: %s)', async (sharedLog) => {
    const { backend, reopen } = await fresh()
    const options = { name: 'race', commands, persist: false, maxAttempts: 50, sharedLog }
    const one = createStore({ ...options, storage: backend, origin: 'one' })
    const two = createStore({ ...options, storage: reopen(), origin: 'two' })
    const acme = { user: 'alice', tenant: 'acme', role: 'member' }
    const run = (store: typeof one, n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => store.dispatch(appendNote({ tenant: 'acme', listId: 'hot', text: `${store.origin}-${i}` }), { principal: acme })))
    // Rounds of concurrent bursts: each store's cached version keeps going stale under the other.
    for (let round = 0; round < 5; round++) await Promise.all([run(one, 5), run(two, 5)])
    const log = await backend.open('race')
    const events = await log.readStream('acme/list-hot', 0)
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    expect(new Set(events.map((e) => e.meta.commandId)).size).toBe(50)
    expect(new Set(events.map((e) => e.meta.origin))).toEqual(new Set(['one', 'two']))
    log.close()
    await Promise.all([one.close(), two.close()])
  })
}
