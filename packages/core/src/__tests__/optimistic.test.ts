// Optimistic read models: a batch's events show in every read model in the task of its dispatch,
// marked provisional, and are taken back (in one notification) when the commit fails.
import { describe, expect, it } from 'vitest'
import { createStore, StorageError, type ChronicleError, type StoreOptions } from '../index'
import { addCard, boardView, commands, titles } from './fixtures'
import { wrappedMemoryStorage } from './wrappedStorage'

/** A store whose appends wait for `release()`, or fail with `fail`'s error. */
function heldStore(options: Partial<StoreOptions> = {}) {
  let gate: { promise: Promise<void>; release: () => void } | undefined
  let failure: unknown
  const { storage } = wrappedMemoryStorage((log) => ({
    append: async (batch, opts) => {
      await gate?.promise
      if (failure) throw failure
      return log.append(batch, opts)
    },
  }))
  const store = createStore({ name: 'optimistic', commands, projections: [boardView, titles], storage, ...options })
  return {
    store,
    hold() {
      let release!: () => void
      const promise = new Promise<void>((resolve) => (release = resolve))
      gate = { promise, release }
      return release
    },
    fail(error: unknown) {
      failure = error
    },
  }
}

/** True once the current task has ended (a macrotask scheduled now has run). */
function taskEnd() {
  const state = { ended: false }
  setTimeout(() => (state.ended = true), 0)
  return state
}

describe('optimistic read models', () => {
  it('show a command in every read model in the task of its dispatch, provisional until the commit', async () => {
    const { store, hold } = heldStore()
    await store.ready
    const seen: { count: number; title: string | undefined; provisional: boolean; ended: boolean }[] = []
    const task = taskEnd()
    const release = hold()
    const subscription = store.query(boardView, (s) => s.count).subscribe(() =>
      seen.push({ count: store.read(boardView).count, title: store.read(titles).c1, provisional: store.provisional(), ended: task.ended }),
    )
    let receipt: unknown
    void store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'first' })).then((r) => (receipt = r))
    await new Promise((resolve) => setTimeout(resolve, 0))
    // Shown before the task ended, in both read models, while the append is still held.
    expect(seen).toEqual([
      { count: 0, title: undefined, provisional: false, ended: false },
      { count: 1, title: 'first', provisional: true, ended: false },
    ])
    expect(store.provisional(boardView)).toBe(true)
    expect(store.read(boardView, { committed: true }).count).toBe(0)
    expect(receipt).toBeUndefined()
    const shown = store.read(boardView)
    release()
    await store.settled()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(receipt).toMatchObject({ eventCount: 1 })
    expect(store.provisional()).toBe(false)
    // The commit published what was shown: the same state, and no second notification.
    expect(store.read(boardView)).toBe(shown)
    expect(seen).toHaveLength(2)
    subscription.unsubscribe()
  })

  it('take a failed commit back in one notification, report it on errors$ and reject the dispatch', async () => {
    const { store, hold, fail } = heldStore()
    await store.ready
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c0', title: 'kept' }))
    const events: string[] = []
    store.errors$.subscribe((error) => events.push(`error ${error.code}`))
    store.query(boardView, (s) => s.count).subscribe((count) => events.push(`count ${count} titles ${Object.keys(store.read(titles)).length}`))
    store.query(titles).subscribe((t) => events.push(`titles ${Object.keys(t).length}`))
    const release = hold()
    const dispatched = store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'lost' })).catch((error: ChronicleError) => {
      events.push(`rejected ${error.code}`)
    })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(store.read(boardView).count).toBe(2)
    fail(new StorageError('quota-exceeded', 'The quota has been exceeded.'))
    release()
    await dispatched
    expect(events).toEqual([
      'count 1 titles 1',
      'titles 1',
      'count 2 titles 2',
      'titles 2',
      // Back in one pass (each read model already back when the first subscriber hears), then why.
      'count 1 titles 1',
      'titles 1',
      'error quota-exceeded',
      'rejected quota-exceeded',
    ])
    expect(store.provisional()).toBe(false)
    expect(store.read(boardView).columns.todo).toEqual(['c0'])
  })

  it('committed-only views: per query, or for the whole store with optimistic: false', async () => {
    for (const optimistic of [true, false]) {
      const { store, hold } = heldStore({ optimistic })
      await store.ready
      const committed: number[] = []
      const shown: number[] = []
      store.query(boardView, (s) => s.count, Object.is, { committed: true }).subscribe((c) => committed.push(c))
      store.query(boardView, (s) => s.count).subscribe((c) => shown.push(c))
      const release = hold()
      const dispatched = store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }))
      await new Promise((resolve) => setTimeout(resolve, 0))
      expect(committed).toEqual([0])
      expect(shown).toEqual(optimistic ? [0, 1] : [0])
      expect(store.provisional()).toBe(optimistic)
      release()
      await dispatched
      expect(committed).toEqual([0, 1])
      expect(shown).toEqual([0, 1])
    }
  })

  it('a read model nobody watches shows the batch too when it is read while in flight', async () => {
    const { store, hold } = heldStore()
    await store.ready
    const release = hold()
    const dispatched = store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'unwatched' }))
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(store.read(titles)).toEqual({ c1: 'unwatched' })
    expect(store.read(titles, { committed: true })).toEqual({})
    release()
    await dispatched
    expect(store.read(titles)).toEqual({ c1: 'unwatched' })
  })

  it('a stream not in the cache is read first, still in the task on memory storage (IndexedDB: after its read)', async () => {
    const { store, hold } = heldStore()
    await store.ready
    const release = hold()
    const task = taskEnd()
    let shownInTask: boolean | undefined
    const subscription = store.query(boardView, (s) => s.count).subscribe((count) => {
      if (count === 1) shownInTask = !task.ended
    })
    // The stream "board-new" is not cached: the write model reads it from the log (a task of its own on IndexedDB).
    const dispatched = store.dispatch(addCard({ boardId: 'new', cardId: 'c1', title: 't' }))
    await new Promise((resolve) => setTimeout(resolve, 0))
    release()
    await dispatched
    // On memory storage the read is microtasks only, so it is still shown in the task.
    expect(shownInTask).toBe(true)
    subscription.unsubscribe()
  })
})
