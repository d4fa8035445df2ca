import { describe, expect, it } from 'vitest'
import { createStore, isChronicleError, memoryStorage, type StorageBackend } from '../index'
import { addCard, boardView, commands, moveCard } from './fixtures'
import { loopbackServer } from './loopback'
import { wrappedMemoryStorage } from './wrappedStorage'

/** Memory storage that counts the events read from each stream (the reads still happen). */
function countingReads() {
  const reads = new Map<string, number>()
  const { storage } = wrappedMemoryStorage((log) => ({
    async readStream(stream, after) {
      const events = await log.readStream(stream, after)
      reads.set(stream, (reads.get(stream) ?? 0) + events.length)
      return events
    },
  }))
  return { storage, reads: (stream: string) => reads.get(stream) ?? 0 }
}

const open = (storage: StorageBackend) => createStore({ name: 'kanban', commands, projections: [boardView], storage, checkpointInterval: 60_000, compaction: false })
/** Sync clients of one in-process server, each on its own memory storage. */
function syncSetup() {
  const { client } = loopbackServer(commands)
  return {
    open() {
      const link = client()
      return { store: createStore({ name: 'kanban', commands, projections: [boardView], storage: memoryStorage(), sync: link }), link }
    },
  }
}

const add = (cardId: string) => addCard({ boardId: 'b', cardId, title: cardId })
const refusal = (settled: Promise<unknown>) => settled.then(() => 'accepted', (e: unknown) => (isChronicleError(e) ? e.code : String(e)))

describe('the write model after undo and redo', () => {
  it('decides the next command on the state without (or with) the command, folded from memory once the stream was read', async () => {
    const { storage, reads } = countingReads()
    const store = open(storage)
    await store.dispatch(add('c1'))
    await store.dispatch(add('c2'))
    expect(reads('board-b')).toBe(0)

    // The first undo on the stream: the next command reads the stream again, and keeps its events.
    await store.history.undo()
    expect(await refusal(store.dispatch(add('c2')))).toBe('accepted')
    expect(reads('board-b')).toBe(3)

    // From then on, undo and redo fold the stream from the events in memory.
    await store.history.undo()
    expect(await refusal(store.dispatch(moveCard({ boardId: 'b', cardId: 'c2', to: 'doing' })))).toBe('card-missing')
    await store.history.redo()
    expect(await refusal(store.dispatch(add('c2')))).toBe('card-exists')
    expect(await refusal(store.dispatch(moveCard({ boardId: 'b', cardId: 'c2', to: 'doing' })))).toBe('accepted')
    await store.history.undo()
    await store.history.undo()
    expect(await refusal(store.dispatch(moveCard({ boardId: 'b', cardId: 'c2', to: 'doing' })))).toBe('card-missing')
    expect(await refusal(store.dispatch(add('c2')))).toBe('accepted')
    expect(await refusal(store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' })))).toBe('accepted')
    expect(reads('board-b')).toBe(3)

    // The same decisions as a store that reads the whole stream from the log.
    const fresh = open(storage)
    expect(await refusal(fresh.dispatch(add('c2')))).toBe('card-exists')
    expect(await refusal(fresh.dispatch(moveCard({ boardId: 'b', cardId: 'c2', to: 'doing' })))).toBe('accepted')
    expect(fresh.read(boardView)).toEqual({ columns: { todo: [], doing: ['c1', 'c2'] }, count: 2 })
  })

  it('after a compaction, folds the kept events onto the stream snapshot read again', async () => {
    const { storage, reads } = countingReads()
    const store = open(storage)
    for (const id of ['c1', 'c2', 'c3']) await store.dispatch(add(id))
    await store.compact({ before: 3 })
    await store.dispatch(add('c4'))
    await store.history.undo()
    await store.dispatch(add('c4'))
    const afterFirstUndo = reads('board-b')
    await store.history.undo()
    expect(await refusal(store.dispatch(add('c4')))).toBe('accepted')
    await store.history.undo()
    await store.history.redo()
    // Cards from the snapshot and from the kept events are both there, the undone ones are not.
    expect(await refusal(store.dispatch(add('c1')))).toBe('card-exists')
    expect(await refusal(store.dispatch(add('c3')))).toBe('card-exists')
    expect(await refusal(store.dispatch(add('c4')))).toBe('card-exists')
    expect(reads('board-b')).toBe(afterFirstUndo)
    expect(store.read(boardView).count).toBe(4)
  })

  it('another writer on the stream: the next undo loses the race, reads the stream afresh and is refused', async () => {
    const { storage } = countingReads()
    const mine = open(storage)
    await mine.dispatch(add('c1'))
    await mine.history.undo()
    await mine.dispatch(add('c2'))
    // Same log, another store (another device's command arriving through the log).
    const other = open(storage)
    await other.dispatch(add('c3'))
    expect(await refusal(mine.history.undo())).toBe('later-command')
    expect(await refusal(mine.dispatch(add('c3')))).toBe('card-exists')
    expect(await refusal(mine.dispatch(add('c1')))).toBe('accepted')
  })
})

describe('the write model after undo and redo, with sync', () => {
  it('a rebase folds pending commands the kept events never saw: the next undo reads the log instead', async () => {
    const { open: link } = syncSetup()
    const a = link()
    const b = link()
    await a.store.dispatch(add('a1'))
    await a.store.history.undo()
    await a.store.dispatch(add('a2'))
    await b.store.dispatch(add('b1'))
    await b.link.round()
    // a3 is dispatched while the round is under way: still pending when the server's answer
    // (b1 first) makes the outbox rebase, which decides it on a state folded from the log.
    const round = a.link.round()
    await a.store.dispatch(add('a3'))
    await round
    expect(a.store.sync?.status.pending).toBe(1)
    await a.store.dispatch(add('a4'))
    await a.store.history.undo()
    expect(await refusal(a.store.dispatch(add('a3')))).toBe('card-exists')
    expect(await refusal(a.store.dispatch(add('a4')))).toBe('accepted')
    expect(await refusal(a.store.dispatch(add('b1')))).toBe('card-exists')
  })
})
