// Idempotency records in real Chromium: since schema version 2 the log keeps a record of where a
// command's events are only for commands that need one (explicit commandId, confirmed by the sync
// server), instead of an index over every event's commandId. A database written at version 1 keeps
// recognising repeats after the upgrade, and undo still finds any command, recorded or not.
import { openDB } from 'idb'
import { describe, expect, it } from 'vitest'
import { commandFingerprint } from '../sync/index'
import { createStore, indexedDbStorage, isChronicleError, memoryStorage, newId, type StorageBackend } from '../index'
import { type NewEvent } from '../storage/index'
import { migrations, schemaVersion } from '../storage/indexedDbLayout'
import { addCard, boardView, commands } from './fixtures'
import { idbHarness } from './idbHarness'

const { stores, uniqueName, open, readAll } = idbHarness('records')

/** The commands store's records, read over a connection of its own. */
async function recordsOf(name: string) {
  const db = await openDB(`chronicle:${name}`)
  try {
    return await db.getAll('commands')
  } finally {
    db.close()
  }
}

/** The envelope `addCard` writes for card `cardId` as the `version`th event of board `boardId`. */
function cardAdded(boardId: string, cardId: string, version: number, commandId: string): NewEvent {
  const meta = { commandId, causationId: commandId, correlationId: commandId, at: 1, origin: 'old-build' }
  return { id: newId(), stream: `board-${boardId}`, version, type: 'CardAdded', schemaVersion: 1, payload: { cardId, column: 'todo', title: cardId }, meta }
}

/** Creates database `name` at schema version 1, as the build before the records wrote it, holding `events`. */
function createAtVersion1(name: string, events: readonly NewEvent[]) {
  return new Promise<void>((resolve, reject) => {
    const request = indexedDB.open(`chronicle:${name}`, 1)
    request.onupgradeneeded = () => {
      migrations[0]!(request.result, request.transaction!)
      for (const event of events) request.transaction!.objectStore('events').add(event)
    }
    request.onsuccess = () => {
      request.result.close()
      resolve()
    }
    request.onerror = () => reject(request.error)
  })
}

describe('idempotency records (real Chromium)', () => {
  it('upgrading a version 1 log records its commands: their repeats are duplicates and write nothing', async () => {
    const name = uniqueName()
    await createAtVersion1(name, [
      cardAdded('b1', 'c1', 1, 'explicit-1'),
      cardAdded('b2', 'c2', 1, 'explicit-2'),
      cardAdded('b1', 'c3', 2, newId()),
    ])
    const store = open(name)
    await store.ready
    expect(store.read(boardView).count).toBe(3)
    expect(schemaVersion).toBeGreaterThan(1)
    expect((await recordsOf(name)).find((r) => r.commandId === 'explicit-2')).toEqual({ commandId: 'explicit-2', first: 2, last: 2 })

    // The same command again: its own first run makes its rule fail, and it is still a duplicate.
    const same = await store.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 'c1' }, { commandId: 'explicit-1' }))
    expect(same).toEqual({ commandId: 'explicit-1', position: 1, eventCount: 0, duplicate: true })
    // A repeat its rules would let through: the append itself recognises it.
    const other = await store.dispatch(addCard({ boardId: 'b2', cardId: 'new', title: 'new' }, { commandId: 'explicit-2' }))
    expect(other).toEqual({ commandId: 'explicit-2', position: 2, eventCount: 0, duplicate: true })
    expect((await readAll(name)).map((e) => e.seq)).toEqual([1, 2, 3])
    expect(store.read(boardView).count).toBe(3)
  })

  it('the upgrade drops the commandId index', async () => {
    const name = uniqueName()
    await createAtVersion1(name, [cardAdded('b', 'c1', 1, 'x')])
    ;(await indexedDbStorage().open(name)).close()
    const db = await openDB(`chronicle:${name}`)
    expect(db.version).toBe(schemaVersion)
    expect([...db.transaction('events').store.indexNames]).toEqual(['stream'])
    db.close()
  })

  it('only commands with an explicit commandId get a record', async () => {
    const name = uniqueName()
    const store = open(name)
    const ordinary = await store.dispatch(addCard({ boardId: 'a', cardId: 'c1', title: 't' }))
    const explicit = await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 't' }, { commandId: 'mine' }))
    const undo = await store.undoCommand(explicit.commandId, { commandId: 'undo-mine' })
    // An undo with a generated id, and an ordinary command: no records.
    await store.undoCommand(ordinary.commandId)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c3', title: 't' }))
    expect(store.read(boardView).count).toBe(1)
    expect((await recordsOf(name)).sort((a, b) => a.first - b.first)).toEqual([
      { commandId: 'mine', first: explicit.position, last: explicit.position, fingerprint: commandFingerprint('addCard', { boardId: 'b', cardId: 'c2', title: 't' }) },
      { commandId: 'undo-mine', first: undo.position, last: undo.position, fingerprint: commandFingerprint('addCard', null, { kind: 'undo', target: 'mine' }) },
    ])
  })

  it('refuses a commandId reused for another request, and still answers a retry of the same one', async () => {
    const name = uniqueName()
    const store = open(name)
    const first = await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }, { commandId: 'mine' }))
    const error = await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 't' }, { commandId: 'mine' })).catch((e: unknown) => e)
    expect(isChronicleError(error, 'ValidationError') && error.code).toBe('idempotency-key-reused')
    const retry = await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }, { commandId: 'mine' }))
    expect(retry).toEqual({ commandId: 'mine', position: first.position, eventCount: 0, duplicate: true })
    // Undo and redo with an explicit id are requests too: the same id cannot undo another command.
    const other = await store.dispatch(addCard({ boardId: 'c', cardId: 'c3', title: 't' }))
    await store.undoCommand('mine', { commandId: 'undo-1' })
    expect(await store.undoCommand('mine', { commandId: 'undo-1' })).toMatchObject({ duplicate: true })
    const wrongTarget = await store.undoCommand(other.commandId, { commandId: 'undo-1' }).catch((e: unknown) => e)
    expect(isChronicleError(wrongTarget, 'ValidationError') && wrongTarget.code).toBe('idempotency-key-reused')
    // A cold start reads the fingerprints back from IndexedDB.
    await store.close()
    const again = open(name)
    const cold = await again.dispatch(addCard({ boardId: 'b', cardId: 'c9', title: 't' }, { commandId: 'mine' })).catch((e: unknown) => e)
    expect(isChronicleError(cold, 'ValidationError') && cold.code).toBe('idempotency-key-reused')
    expect((await readAll(name)).map((e) => e.meta.commandId)).toEqual(['mine', other.commandId, 'undo-1'])
    expect(again.read(boardView).count).toBe(1)
  })

  it('undoes a command with a generated id that a cold start left out of memory', async () => {
    const name = uniqueName()
    const first = open(name)
    const old = await first.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 't' }))
    for (let i = 2; i <= 4; i++) await first.dispatch(addCard({ boardId: 'b2', cardId: `c${i}`, title: 't' }))
    // Closing saves the checkpoint at 4: the next store starts from it and replays nothing.
    await first.close()
    let readCommand = 0
    const counting: StorageBackend = {
      kind: 'indexeddb',
      async open(storeName) {
        const log = await indexedDbStorage().open(storeName)
        return { ...log, readCommand: (id) => (readCommand++, log.readCommand(id)) }
      },
    }
    const cold = createStore({ name, commands, projections: [boardView], storage: counting })
    stores.push(cold)
    await cold.ready
    await cold.undoCommand(old.commandId)
    expect(readCommand).toBe(1)
    expect(cold.read(boardView).columns.todo).toEqual(['c2', 'c3', 'c4'])

    // A command written since the cold start is found in memory.
    const recent = await cold.dispatch(addCard({ boardId: 'b3', cardId: 'c5', title: 't' }))
    await cold.undoCommand(recent.commandId)
    expect(readCommand).toBe(1)
    expect(cold.read(boardView).count).toBe(3)
  })
})

describe.each([
  ['memoryStorage', () => memoryStorage()],
  ['indexedDbStorage', () => indexedDbStorage()],
] as const)('idempotency records of %s', (_kind, backend) => {
  const append = (commandId: string, idempotent: boolean, events: NewEvent[], expectedVersion = events[0]!.version - 1) => ({ commandId, stream: events[0]!.stream, expectedVersion, idempotent, events })

  it('findCommand knows idempotent commands and commands the sync server confirmed; readCommand knows every command', async () => {
    const log = await backend().open(uniqueName())
    try {
      const outcomes = await log.append([
        append('plain', false, [cardAdded('b', 'c1', 1, 'plain')]),
        append('kept', true, [cardAdded('b', 'c2', 2, 'kept'), cardAdded('b', 'c3', 3, 'kept')]),
        append('kept', true, [cardAdded('b', 'c4', 4, 'kept')], 3),
      ])
      expect(outcomes.map((o) => o.status)).toEqual(['ok', 'ok', 'duplicate'])
      expect(outcomes[2]).toEqual({ status: 'duplicate', position: 3 })
      await log.outbox!.receive({ events: [{ ...cardAdded('s', 'c9', 1, 'confirmed'), position: 7 }], settled: [], position: 7 })

      expect(await log.findCommand!('plain')).toBeUndefined()
      expect(await log.findCommand!('kept')).toEqual({ position: 3 })
      expect(await log.findCommand!('confirmed')).toEqual({ position: 4 })
      expect((await log.readCommand('plain')).map((e) => e.seq)).toEqual([1])
      expect((await log.readCommand('kept')).map((e) => e.seq)).toEqual([2, 3])
      expect((await log.readCommand('confirmed')).map((e) => e.seq)).toEqual([4])
      expect(await log.readCommand('never')).toEqual([])

      // A repeat of an ordinary command is not recognised: it is checked like any other.
      const again = await log.append([append('plain', true, [cardAdded('b', 'c5', 4, 'plain')])])
      expect(again.map((o) => o.status)).toEqual(['ok'])
    } finally {
      log.close()
    }
  })

  it('tells a repeat of the same request (duplicate) from a reused id (reused); a record without a fingerprint repeats as a duplicate', async () => {
    const log = await backend().open(uniqueName())
    const withPrint = (commandId: string, events: NewEvent[], fingerprint?: string, expectedVersion?: number) => ({ ...append(commandId, true, events, expectedVersion), ...(fingerprint ? { fingerprint } : {}) })
    try {
      const [a, b] = [commandFingerprint('addCard', { n: 1 }), commandFingerprint('addCard', { n: 2 })]
      expect(a).not.toBe(b)
      const first = await log.append([withPrint('k', [cardAdded('b', 'c1', 1, 'k')], a), withPrint('legacy', [cardAdded('b', 'c2', 2, 'legacy')])])
      expect(first.map((o) => o.status)).toEqual(['ok', 'ok'])
      expect(await log.findCommand!('k')).toEqual({ position: 1, fingerprint: a })
      const repeats = await log.append([
        withPrint('k', [cardAdded('b', 'c3', 3, 'k')], a, 2),
        withPrint('k', [cardAdded('b', 'c3', 3, 'k')], b, 2),
        withPrint('legacy', [cardAdded('b', 'c3', 3, 'legacy')], b, 2),
        // Within one batch too: the second command under a new id asks for something else. (On a
        // stream of its own: the repeats above wrote nothing on b, so later commands there conflict.)
        withPrint('new', [cardAdded('b2', 'c3', 1, 'new')], a, 0),
        withPrint('new', [cardAdded('b2', 'c4', 2, 'new')], b, 1),
      ])
      expect(repeats).toEqual([{ status: 'duplicate', position: 1 }, { status: 'reused' }, { status: 'duplicate', position: 2 }, expect.objectContaining({ status: 'ok' }), { status: 'reused' }])
      expect((await log.readLog(0)).map((e) => e.meta.commandId)).toEqual(['k', 'legacy', 'new'])
    } finally {
      log.close()
    }
  })

  it('compaction forgets the commands whose events it removes', async () => {
    const log = await backend().open(uniqueName())
    try {
      await log.append([append('one', true, [cardAdded('b', 'c1', 1, 'one')]), append('two', true, [cardAdded('b', 'c2', 2, 'two')])])
      await log.compaction!.compact({ position: 1, states: {}, compactedAt: 0 }, [])
      expect(await log.findCommand!('one')).toBeUndefined()
      expect(await log.findCommand!('two')).toEqual({ position: 2 })
    } finally {
      log.close()
    }
  })
})
