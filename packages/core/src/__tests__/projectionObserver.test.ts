import { afterEach, describe, expect, it } from 'vitest'
import { createStore, isChronicleError, memoryStorage, ProjectionObserver, StoreReadiness, type StorageBackend, type Store } from '../index'
import { addCard, boardView, commands, moveCard } from './fixtures'
import { countingSubscriptions, fragile } from './observedStore'

const stores: Store[] = []
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)))
})

function open(storage: StorageBackend = memoryStorage()): Store {
  const store = createStore({ name: 'kanban', commands, projections: [boardView, fragile], storage })
  stores.push(store)
  return store
}

/** Storage whose `open` waits for `release()`, over `inner`. */
function slowOpen(inner: StorageBackend) {
  let release!: () => void
  const opened = new Promise<void>((resolve) => (release = resolve))
  const backend: StorageBackend = { kind: 'memory', open: async (name) => (await opened, inner.open(name)) }
  return { backend, release }
}

const add = (store: Store, cardId: string, title = cardId) => store.dispatch(addCard({ boardId: 'b', cardId, title }))

describe('ProjectionObserver', () => {
  it('reads the state and calls its listeners on subscribe and on every change, until unsubscribed', async () => {
    const store = open()
    await add(store, 'c1')
    const observer = new ProjectionObserver(store, boardView)
    expect(observer.getSnapshot()).toBe(store.read(boardView))
    let calls = 0
    const { subscribe, getSnapshot } = observer
    const stop = subscribe(() => calls++)
    expect(calls).toBe(1)
    await add(store, 'c2')
    expect(calls).toBe(2)
    expect(getSnapshot().columns.todo).toEqual(['c1', 'c2'])
    stop()
    await add(store, 'c3')
    expect(calls).toBe(2)
  })

  it('takes one subscription per subscribe and none before', async () => {
    const inner = open()
    await inner.ready
    const { store, counts } = countingSubscriptions(inner)
    const observer = new ProjectionObserver(store, boardView)
    expect(counts.active).toBe(0)
    const stops = [observer.subscribe(() => undefined), observer.subscribe(() => undefined)]
    expect(counts.active).toBe(2)
    for (const stop of stops) stop()
    expect(counts.active).toBe(0)
  })

  it('keeps a selection while the state and the selector are the same, and an equal result while the slice is the same', async () => {
    const store = open()
    await add(store, 'c1')
    const observer = new ProjectionObserver(store, boardView)
    let runs = 0
    const keys = (s: { columns: Record<string, string[]> }) => (runs++, Object.keys(s.columns))
    const sameItems = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i])
    const first = observer.select(keys, sameItems)
    expect(observer.select(keys, sameItems)).toBe(first)
    expect(runs).toBe(1)
    // A new state with the same keys: re-selected, and the old array kept.
    await add(store, 'c2')
    expect(observer.select(keys, sameItems)).toBe(first)
    expect(runs).toBe(2)
    // Without `equal`, a new array is a new result.
    await add(store, 'c3')
    const next = observer.select(keys)
    expect(next).not.toBe(first)
    expect(next).toEqual(['todo'])
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'done' }))
    expect(observer.select(keys, sameItems)).toEqual(['todo', 'done'])
  })

  it('re-selects when the selector changes, keeping an equal result', async () => {
    const store = open()
    await add(store, 'c1')
    const observer = new ProjectionObserver(store, boardView)
    const sameItems = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i])
    const todo = observer.select((s) => [...(s.columns.todo ?? [])], sameItems)
    expect(observer.select((s) => [...(s.columns.todo ?? [])], sameItems)).toBe(todo)
    expect(observer.select((s) => [...(s.columns.todo ?? [])])).not.toBe(todo)
    expect(observer.select((s) => s.count)).toBe(1)
  })

  it('reports a read model that failed before it was observed, with one look and no lasting subscription', async () => {
    const inner = open()
    await add(inner, 'c1', 'boom')
    const { store, counts } = countingSubscriptions(inner)
    const observer = new ProjectionObserver(store, fragile)
    const failure = observer.failure
    expect(isChronicleError(failure?.error, 'ProjectionError')).toBe(true)
    expect(() => observer.getSnapshot()).toThrow(/Projection fragile failed on event 1 \(CardAdded\): cannot show boom/)
    expect(() => observer.select((s) => s.titles)).toThrow(/cannot show boom/)
    expect(counts).toEqual({ active: 0, opened: 1 })
    // Looked once: the answer is remembered.
    void observer.failure
    expect(counts.opened).toBe(1)
    expect(new ProjectionObserver(store, boardView).failure).toBeUndefined()
  })

  it('tells its listeners when the read model fails while observed, and throws from then on', async () => {
    const store = open()
    await add(store, 'c1', 'fine')
    const observer = new ProjectionObserver(store, fragile)
    expect(observer.select((s) => s.titles)).toEqual(['fine'])
    let calls = 0
    observer.subscribe(() => calls++)
    await add(store, 'c2', 'boom')
    expect(calls).toBe(2)
    expect(isChronicleError(observer.failure?.error, 'ProjectionError')).toBe(true)
    expect(() => observer.getSnapshot()).toThrow(/cannot show boom/)
    // Other read models keep working.
    expect(new ProjectionObserver(store, boardView).getSnapshot().count).toBe(2)
  })

  it('follows a cold start: loading until ready, its listeners told when it ends', async () => {
    const shared = memoryStorage()
    const writer = open(shared)
    await add(writer, 'c1')
    await writer.close()
    const { backend, release } = slowOpen(shared)
    const store = open(backend)
    const observer = new ProjectionObserver(store, boardView)
    expect(observer.isReady).toBe(false)
    const loading = observer.loading()
    expect(loading).toBe(StoreReadiness.of(store).settled)
    expect(new ProjectionObserver(store, fragile).loading()).toBe(loading)
    expect(observer.getSnapshot().count).toBe(0)
    let calls = 0
    observer.subscribe(() => calls++)
    const before = calls
    release()
    await loading
    expect(calls).toBeGreaterThan(before)
    expect(observer.isReady).toBe(true)
    expect(observer.loading()).toBeUndefined()
    expect(observer.getSnapshot().count).toBe(1)
  })

  it('throws a failed cold start once it is known, and stops loading', async () => {
    const store = open({ kind: 'memory', open: () => Promise.reject(new Error('disk on fire')) })
    const observer = new ProjectionObserver(store, boardView)
    let calls = 0
    observer.subscribe(() => calls++)
    const loading = observer.loading()
    expect(loading).toBeInstanceOf(Promise)
    await loading
    expect(calls).toBeGreaterThan(1)
    expect(observer.failure?.error).toEqual(new Error('disk on fire'))
    expect(() => observer.getSnapshot()).toThrow('disk on fire')
    expect(observer.loading()).toBeUndefined()
  })
})

describe('StoreReadiness', () => {
  it('is one per store, settles with the cold start and tells each subscriber once', async () => {
    const { backend, release } = slowOpen(memoryStorage())
    const store = open(backend)
    const readiness = StoreReadiness.of(store)
    expect(StoreReadiness.of(store)).toBe(readiness)
    expect(readiness.getSnapshot()).toBe(false)
    const heard: string[] = []
    readiness.subscribe(() => heard.push('a'))
    const stop = readiness.subscribe(() => heard.push('b'))
    stop()
    release()
    await readiness.settled
    expect(heard).toEqual(['a'])
    expect(readiness.isReady).toBe(true)
    expect(readiness.getSnapshot()).toBe(true)
    expect(readiness.failure).toBeUndefined()
    // Already ready: nothing left to hear.
    readiness.subscribe(() => heard.push('late'))
    await Promise.resolve()
    expect(heard).toEqual(['a'])
  })

  it('never rejects, and keeps the failure of a cold start that failed', async () => {
    const store = open({ kind: 'memory', open: () => Promise.reject(new Error('blocked')) })
    const readiness = StoreReadiness.of(store)
    await expect(readiness.settled).resolves.toBeUndefined()
    expect(readiness.failure).toEqual({ error: new Error('blocked') })
    expect(readiness.getSnapshot()).toBe(false)
  })
})
