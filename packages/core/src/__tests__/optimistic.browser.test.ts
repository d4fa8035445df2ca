// Optimistic read models on real IndexedDB in Chromium: a command on a cached stream shows in the
// task of its dispatch, before its transaction commits; a commit that fails (quota) or loses the
// race to another tab takes it back in one notification.
import { afterEach, describe, expect, it } from 'vitest'
import { addCard, boardView, moveCard } from './fixtures'
import { idbHarness } from './idbHarness'
import type { ChronicleError } from '../index'

const { uniqueName, open } = idbHarness('optimistic')
const originalAdd = IDBObjectStore.prototype.add

afterEach(() => {
  IDBObjectStore.prototype.add = originalAdd
})

/** True once the current task has ended (a macrotask scheduled now has run). */
function taskEnd() {
  const state = { ended: false }
  setTimeout(() => (state.ended = true), 0)
  return state
}

describe('optimistic read models (real IndexedDB)', () => {
  it('show a command on a cached stream in the task of its dispatch, before the commit', async () => {
    const store = open(uniqueName())
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c0', title: 'warm' }))
    const seen: { count: number; ended: boolean; committed: number }[] = []
    const task = taskEnd()
    store.query(boardView, (s) => s.count).subscribe((count) => seen.push({ count, ended: task.ended, committed: store.read(boardView, { committed: true }).count }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'shown' }))
    expect(seen).toEqual([
      { count: 1, ended: false, committed: 1 },
      // In the task, while the transaction was still in flight.
      { count: 2, ended: false, committed: 1 },
    ])
    expect(store.provisional()).toBe(false)
  })

  it('a quota error takes the command back in one notification, then reports it', async () => {
    const store = open(uniqueName())
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c0', title: 'small' }))
    const events: string[] = []
    store.query(boardView, (s) => s.count).subscribe((count) => events.push(`count ${count}`))
    store.errors$.subscribe((error) => events.push(`errors$ ${error.code}`))
    IDBObjectStore.prototype.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      const [value] = args as [{ payload?: { title?: string } }]
      if ((value.payload?.title?.length ?? 0) > 1000) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      return originalAdd.apply(this, args)
    } as IDBObjectStore['add']
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'x'.repeat(2000) })).catch((error: ChronicleError) => events.push(`rejected ${error.code}`))
    expect(events).toEqual(['count 1', 'count 2', 'count 1', 'errors$ quota-exceeded', 'rejected quota-exceeded'])
  })

  it('a command that lost the race to another tab is taken back, decided again on the fresh state, and shown as committed', async () => {
    const name = uniqueName()
    const a = open(name)
    const b = open(name)
    await Promise.all([a.ready, b.ready])
    for (const id of ['c1', 'c2', 'c3', 'c4']) await a.dispatch(addCard({ boardId: 'b', cardId: id, title: id }))
    for (const id of ['c1', 'c2']) await a.dispatch(moveCard({ boardId: 'b', cardId: id, to: 'doing' }))
    await b.settled()
    // b caches the board (a command that changes nothing loads its stream); then both race for the last place in doing (WIP limit 3).
    await b.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' }))
    const shown: string[][] = []
    b.query(boardView, (s) => s.columns.doing ?? []).subscribe((doing) => shown.push([...doing]))
    const [fromA, fromB] = await Promise.allSettled([
      a.dispatch(moveCard({ boardId: 'b', cardId: 'c3', to: 'doing' })),
      b.dispatch(moveCard({ boardId: 'b', cardId: 'c4', to: 'doing' })),
    ])
    // One of them got the last place; the other was refused on the fresh state.
    expect([fromA.status, fromB.status].sort()).toEqual(['fulfilled', 'rejected'])
    await b.settled()
    const final = b.read(boardView).columns.doing
    expect(final).toHaveLength(3)
    expect(shown.at(-1)).toEqual(final)
    expect(b.provisional()).toBe(false)
  })
})
