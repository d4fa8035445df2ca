// Fault injection in real Chromium: each failure gives its typed error, nothing already stored
// changes, and the store keeps working or refuses clearly.
import { afterEach, describe, expect, it } from 'vitest'
import { idbHarness } from './idbHarness'
import * as v from 'valibot'
import { createStore, defineAggregate, defineCommand, defineEvent, defineProjection, indexedDbStorage, isChronicleError, type ChronicleError, type Store } from '../index'
import { addCard, boardView, commands } from './fixtures'

const { stores, uniqueName, open, readAll } = idbHarness('faults')
const originalAdd = IDBObjectStore.prototype.add
const originalCommit = IDBTransaction.prototype.commit

afterEach(() => {
  IDBObjectStore.prototype.add = originalAdd
  IDBTransaction.prototype.commit = originalCommit
})

const Logged = defineEvent('Logged', v.object({ n: v.number() }))
const journal = defineAggregate({ name: 'journal', events: [Logged], initial: () => ({ n: 0 }), evolve: { Logged: (d) => void d.n++ } })
const logThree = defineCommand({
  type: 'logThree',
  schema: v.object({ base: v.number() }),
  aggregate: journal,
  stream: () => 'journal',
  handle: (_s, c) => [Logged({ n: c.base }), Logged({ n: c.base + 1 }), Logged({ n: c.base + 2 })],
})

/** An event's add, not the compaction fence's that every append makes first (a record with a negative `seq`). */
const isEventAdd = (store: IDBObjectStore, value: unknown) => store.name === 'events' && (value as { seq?: number }).seq === undefined

describe('fault injection (real IndexedDB)', () => {
  it('a transaction aborted at every step of a command’s append leaves nothing of it', async () => {
    const name = uniqueName()
    const store = createStore({ name, commands: [logThree], storage: indexedDbStorage() })
    stores.push(store)
    await store.dispatch(logThree({ base: 0 }))
    // Abort before the 1st, 2nd, 3rd event's request, and after the 3rd (before commit).
    for (let step = 0; step <= 3; step++) {
      let calls = 0
      IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
        if (isEventAdd(this, args[0]) && calls++ === step) this.transaction.abort()
        return originalAdd.apply(this, args)
      } as IDBObjectStore['add']
      if (step === 3) {
        // After every request: where the append asks for the commit (an explicit commit() cannot
        // be aborted by script afterwards, only by the browser), or, for a transaction left to
        // commit on its own, once the last request succeeded.
        IDBTransaction.prototype.commit = function (this: IDBTransaction) {
          this.abort()
        }
        IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
          const request = originalAdd.apply(this, args)
          const transaction = this.transaction
          if (isEventAdd(this, args[0]) && ++calls === 3) request.addEventListener('success', () => transaction.error === null && transaction.abort())
          return request
        } as IDBObjectStore['add']
      }
      const error = await store.dispatch(logThree({ base: 100 * (step + 1) })).catch((e: unknown) => e)
      IDBObjectStore.prototype.add = originalAdd
      IDBTransaction.prototype.commit = originalCommit
      expect(isChronicleError(error, 'StorageError')).toBe(true)
      expect((error as ChronicleError).code).toMatch(/aborted|closed/)
      expect((await readAll(name)).map((e) => (e.payload as { n: number }).n)).toEqual([0, 1, 2])
    }
    // The store keeps working, and versions continue where the log is.
    await store.dispatch(logThree({ base: 9 }))
    expect((await readAll(name)).map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('quota exceeded (IndexedDB throwing QuotaExceededError) gives StorageError quota-exceeded and keeps what is stored', async () => {
    const name = uniqueName()
    const store = open(name)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'small' }))
    // What Chromium does when a write does not fit: the request throws QuotaExceededError.
    IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      const [value] = args as [{ payload?: { title?: string } }]
      if ((value.payload?.title?.length ?? 0) > 1000) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      return originalAdd.apply(this, args)
    } as IDBObjectStore['add']
    const results = await Promise.allSettled([
      store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'x'.repeat(2_000) })),
      store.dispatch(addCard({ boardId: 'c', cardId: 'c3', title: 'fits' })),
    ])
    IDBObjectStore.prototype.add = originalAdd
    const error = results[0].status === 'rejected' ? results[0].reason : undefined
    expect(isChronicleError(error, 'StorageError') && error.code).toBe('quota-exceeded')
    expect((error as Error).message).toMatch(/quota/)
    // Its neighbour in the same group commit was written on its own.
    expect(results[1].status).toBe('fulfilled')
    expect((await readAll(name)).map((e) => (e.payload as { cardId: string }).cardId)).toEqual(['c1', 'c3'])
    await expect(store.dispatch(addCard({ boardId: 'b', cardId: 'c4', title: 'fits again' }))).resolves.toMatchObject({ eventCount: 1 })
  })

  it('the database deleted underneath a running store: the store says so and refuses clearly', async () => {
    const name = uniqueName()
    const store = open(name)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }))
    const errors: ChronicleError[] = []
    store.errors$.subscribe((e) => errors.push(e))
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(`chronicle:${name}`)
      request.onsuccess = () => resolve()
      request.onerror = () => reject(request.error)
    })
    expect(errors.map((e) => e.code)).toEqual(['deleted'])
    const error = await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 't' })).catch((e: unknown) => e)
    expect(isChronicleError(error, 'StorageError') && error.code).toBe('deleted')
    // The read models show what the log holds now: nothing.
    expect(store.read(boardView)).toEqual(boardView.initial)
    expect(store.position).toBe(0)
  })

  it('a corrupt event record (a payload the code cannot read) fails only the read model that chokes on it', async () => {
    const name = uniqueName()
    const store = open(name)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 't' }))
    await store.close()
    // Write a record the current code cannot read: a CardAdded without its fields.
    const log = await indexedDbStorage().open(name)
    await log.append([
      {
        commandId: 'broken',
        stream: 'board-b',
        expectedVersion: 1,
        idempotent: false,
        events: [{ id: 'x', stream: 'board-b', version: 2, type: 'CardAdded', schemaVersion: 1, payload: 'garbage', meta: { commandId: 'broken', causationId: 'broken', correlationId: 'broken', at: 0, origin: 'x' } }],
      },
    ])
    log.close()
    const strict = defineProjection({
      name: 'strict',
      version: 1,
      events: [addCard.aggregate.events[0]!],
      initial: { ids: [] as string[] },
      on: {
        CardAdded: (draft, e) => {
          if (typeof e.cardId !== 'string') throw new TypeError('CardAdded without cardId')
          draft.ids.push(e.cardId)
        },
      },
    })
    const cold = createStore({ name, commands, projections: [boardView, strict], storage: indexedDbStorage() })
    stores.push(cold)
    const errors: ChronicleError[] = []
    cold.errors$.subscribe((e) => errors.push(e))
    await cold.ready
    expect(errors.map((e) => [e.name, (e as { projection?: string }).projection])).toEqual([['ProjectionError', 'strict']])
    expect(cold.read(boardView).count).toBe(2)
  })
})
