import { describe, expect, it } from 'vitest'
import * as v from 'valibot'
import { createStore, defineAggregate, defineCommand, defineEvent, isChronicleError, memoryStorage, type StorageBackend } from '../index'
import { addCard, boardView, commands, moveCard } from './fixtures'
import { loopbackServer } from './loopback'
import { countedStreamReads, wrappedMemoryStorage } from './wrappedStorage'

/** Memory storage that counts the events read from each stream (the reads still happen). */
function countingReads() {
  const reads = new Map<string, number>()
  const { storage } = wrappedMemoryStorage((log) => countedStreamReads(log, (stream, n) => reads.set(stream, (reads.get(stream) ?? 0) + n)))
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

describe('the write model on a log other processes append to (sharedLog)', () => {
  /** Store `mine` counts its stream reads; `other` writes to the same log as another server process would. */
  function sharedSetup(options: { sharedLog: boolean; beforeAppend?: () => Promise<void> }) {
    const reads = new Map<string, number>()
    let hook = options.beforeAppend
    const { storage, inner } = wrappedMemoryStorage((log) => ({
      ...countedStreamReads(log, (stream, n) => reads.set(stream, (reads.get(stream) ?? 0) + n)),
      async append(batch, appendOptions) {
        const run = hook
        hook = undefined
        await run?.()
        return log.append(batch, appendOptions)
      },
    }))
    const mine = createStore({ name: 'kanban', commands, storage, compaction: false, sharedLog: options.sharedLog })
    const other = createStore({ name: 'kanban', commands, storage: inner, compaction: false })
    return { mine, other, reads: (stream: string) => reads.get(stream) ?? 0, arm: (run: () => Promise<void>) => (hook = run) }
  }

  it('catches a cached stream up with what others appended instead of folding it again', async () => {
    const { mine, other, reads } = sharedSetup({ sharedLog: true })
    for (const id of ['m1', 'm2', 'm3']) await mine.dispatch(add(id))
    for (const id of ['o1', 'o2', 'o3', 'o4', 'o5']) await other.dispatch(add(id))
    const before = reads('board-b')
    expect(await refusal(mine.dispatch(add('m4')))).toBe('accepted')
    // Only the five foreign events were read, and the state has them: o1 exists.
    expect(reads('board-b') - before).toBe(5)
    expect(await refusal(mine.dispatch(add('o1')))).toBe('card-exists')
  })

  it('puts a contended stream back after a lost race and catches up, without reading the whole stream', async () => {
    const { mine, other, reads, arm } = sharedSetup({ sharedLog: true })
    for (const id of ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']) await mine.dispatch(add(id))
    // Another process writes: the stream is contended from now on.
    await other.dispatch(add('o1'))
    await mine.dispatch(add('m7'))
    // ...and wins the next race: it appends between this store's catch-up and its append.
    arm(async () => void (await other.dispatch(add('o2'))))
    const before = reads('board-b')
    const receipt = await mine.dispatch(add('m8'))
    expect(receipt.duplicate).toBe(false)
    // Catch-up before deciding (nothing new), the lost race, then catch-up reads o2 and m8's retry
    // writes: never the stream's other eight events again.
    expect(reads('board-b') - before).toBe(1)
    expect(await refusal(mine.dispatch(add('o2')))).toBe('card-exists')
    expect(await refusal(mine.dispatch(add('m8')))).toBe('card-exists')
  })

  it('without sharedLog, the same lost race folds the whole stream again (what the option avoids)', async () => {
    const { mine, other, reads, arm } = sharedSetup({ sharedLog: false })
    for (const id of ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']) await mine.dispatch(add(id))
    arm(async () => void (await other.dispatch(add('o2'))))
    const before = reads('board-b')
    await mine.dispatch(add('m7'))
    expect(reads('board-b') - before).toBe(7)
  })
})

describe("the write model's saved states", () => {
  const Noted = defineEvent('Noted', v.object({ text: v.string() }))
  /** An aggregate whose state holds a function: it cannot be stored. */
  const withCallback = defineAggregate({
    name: 'withCallback',
    events: [Noted],
    initial: () => ({ count: 0, format: (n: number) => `#${n}` }),
    evolve: { Noted: (draft) => void (draft.count += 1) },
  })
  const note = defineCommand({ type: 'note', schema: v.object({ id: v.string() }), aggregate: withCallback, stream: (c) => `note-${c.id}`, handle: () => Noted({ text: 't' }) })

  it('saves what it can store beside the checkpoints, and leaves out a state that cannot be stored without a report', async () => {
    const storage = memoryStorage()
    const store = createStore({ name: 'saved', commands: [...commands, note], projections: [boardView], storage, compaction: false })
    const errors: unknown[] = []
    store.errors$.subscribe((error) => errors.push(error))
    await store.dispatch(add('c1'))
    await store.dispatch(note({ id: 'n1' }))
    await store.checkpoint()
    const log = await storage.open('saved')
    const saved = await log.streams!.loadDirectory()
    expect(saved?.position).toBe(2)
    expect(saved?.states?.map((s) => s.stream)).toEqual(['board-b'])
    expect(errors).toEqual([])
    await store.close()
  })
})
