import { afterEach, describe, expect, it } from 'vitest'
import { createStore, isChronicleError, memoryStorage, type AnyProjectionDefinition, type ProjectionState, type StorageBackend, type Store } from '@chronicle/core'
import {
  activity,
  addCard,
  addChecklistItem,
  boardView,
  cardActivity,
  commands,
  dashboard,
  demoBoardId,
  moveCard,
  projections,
  reactions,
  seedDemoBoard,
  seedSteps,
  toggleChecklistItem,
} from '../domain'

const now = Date.UTC(2026, 2, 20, 12)
const day = 86_400_000
const stores: Store[] = []
const open = (storage: StorageBackend, userId = 'ada') => {
  const store = createStore({ name: 'kanban', commands, projections, reactions, storage, principal: { userId } })
  stores.push(store)
  return store
}
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()))
})

/** Resolves with a read model's state once `predicate` holds (reactions run after the receipt). */
function until<P extends AnyProjectionDefinition>(store: Store, projection: P, predicate: (state: ProjectionState<P>) => boolean): Promise<ProjectionState<P>> {
  return new Promise((resolve, reject) => {
    const subscription = store.query(projection).subscribe({
      next: (state) => {
        if (!predicate(state)) return
        resolve(state)
        queueMicrotask(() => subscription.unsubscribe())
      },
      error: reject,
    })
  })
}

const columnCounts = (store: Store) => {
  const board = store.read(boardView).boards[demoBoardId]!
  return Object.fromEntries(board.columnOrder.map((id) => [id, board.columns[id]!.cardIds.length]))
}

describe('the seeded demo board', () => {
  it('seeds two weeks of work through commands, every one of them accepted', async () => {
    const store = open(memoryStorage())
    await seedDemoBoard(store, now)
    const board = store.read(boardView).boards[demoBoardId]!
    expect(board.name).toBe('Product launch')
    expect(columnCounts(store)).toEqual({ todo: 4, doing: 2, review: 1, done: 5 })
    expect(board.archived).toEqual(['ab-test'])
    // The newest move goes on top: the last card finished is first in Done.
    expect(board.columns.done!.cardIds[0]).toBe('password-reset')
    const blog = store.read(boardView).cards.blog!
    expect(blog.checklist.map((i) => i.done)).toEqual([true, true, false])
    expect(blog.comments).toEqual([{ id: 'blog-comment-0', text: 'Legal said they need until Thursday.', by: 'ada', at: now - 1.1 * day }])
  })

  it('records a cycle time for every card that reached Done, through the reaction', async () => {
    const store = open(memoryStorage())
    await seedDemoBoard(store, now)
    const stats = (await until(store, dashboard, (s) => (s.boards[demoBoardId]?.completions.length ?? 0) === 5)).boards[demoBoardId]!
    const signup = stats.completions.find((c) => c.cardId === 'signup')!
    // Started when it entered "In progress" 12 days ago, done 10.5 days ago.
    expect(signup.cycleTimeMs).toBe(1.5 * day)
    const interviews = stats.completions.find((c) => c.cardId === 'interviews')!
    expect(interviews.cycleTimeMs).toBe(2 * day)
    expect(Object.fromEntries(stats.columnOrder.map((id) => [id, stats.columns[id]!.count]))).toEqual({ todo: 4, doing: 2, review: 1, done: 5 })
    expect(stats.people).toMatchObject({ ada: { open: 1, done: 1 }, grace: { open: 1, done: 2 }, alan: { open: 2, done: 1 }, katherine: { open: 2, done: 1 }, '': { open: 1, done: 0 } })
  })

  it('seeds once: again later, from a second tab, or from two tabs at once', async () => {
    const storage = memoryStorage()
    const first = open(storage)
    await seedDemoBoard(first, now)
    const head = async () => (await storage.open('kanban')).head()
    const seeded = await head()
    await seedDemoBoard(first, now)
    await seedDemoBoard(open(storage, 'grace'), now)
    expect(await head()).toBe(seeded)

    const shared = memoryStorage()
    const [a, b] = [open(shared), open(shared, 'grace')]
    await Promise.all([seedDemoBoard(a, now), seedDemoBoard(b, now)])
    const log = await (await shared.open('kanban')).readLog(0)
    expect(log.filter((e) => e.meta.commandId.startsWith('seed:')).length).toBe(seedSteps(now).length)
    await b.settled()
    expect(columnCounts(b)).toEqual({ todo: 4, doing: 2, review: 1, done: 5 })
  })
})

describe('read models from one log', () => {
  it('tells the audit trail: who did what to which card, and when', async () => {
    const store = open(memoryStorage())
    await seedDemoBoard(store, now)
    const history = cardActivity.select(store.read(activity), 'blog')
    expect(history.map((e) => [e.actor, e.action.kind])).toEqual([
      ['ada', 'comment-added'],
      ['katherine', 'card-moved'],
      ['katherine', 'checklist-item-toggled'],
      ['katherine', 'checklist-item-toggled'],
      ['katherine', 'card-moved'],
      ['katherine', 'checklist-item-added'],
      ['katherine', 'checklist-item-added'],
      ['katherine', 'checklist-item-added'],
      ['katherine', 'card-assigned'],
      ['katherine', 'card-added'],
    ])
    expect(history[1]).toMatchObject({ cardTitle: 'Launch blog post', at: now - 3 * day, action: { kind: 'card-moved', from: 'In progress', to: 'Review' } })
  })

  it('moves a card to Done live: the board, the feed and the dashboard all follow', async () => {
    const store = open(memoryStorage(), 'grace')
    await seedDemoBoard(store, now)
    await store.dispatch(addCard({ boardId: demoBoardId, cardId: 'new', columnId: 'todo', title: 'Ship it' }))
    await store.dispatch(addChecklistItem({ boardId: demoBoardId, cardId: 'new', itemId: 'i', text: 'Check' }))
    const refused = await store.dispatch(moveCard({ boardId: demoBoardId, cardId: 'new', to: 'done', position: 0 })).catch((e: unknown) => e)
    expect(isChronicleError(refused, 'RuleViolation') && refused.code).toBe('open-checklist')
    expect(store.read(boardView).cards.new!.columnId).toBe('todo')
    await store.dispatch(toggleChecklistItem({ boardId: demoBoardId, cardId: 'new', itemId: 'i', done: true }))
    await store.dispatch(moveCard({ boardId: demoBoardId, cardId: 'new', to: 'done', position: 0 }))
    expect(columnCounts(store)).toMatchObject({ todo: 4, done: 6 })
    const stats = await until(store, dashboard, (s) => s.boards[demoBoardId]!.completions.some((c) => c.cardId === 'new'))
    expect(stats.boards[demoBoardId]!.completions.at(-1)).toMatchObject({ cardId: 'new', title: 'Ship it' })
    const feed = store.read(activity).entries
    expect(feed.at(-1)).toMatchObject({ actor: null, cardId: 'new', action: { kind: 'card-completed' } })
    expect(feed.at(-2)).toMatchObject({ actor: 'grace', cardTitle: 'Ship it', action: { kind: 'card-moved', from: 'To do', to: 'Done', position: 0 } })
    // The feed dates the completion when the card reached Done, not when the reaction recorded it.
    expect(feed.at(-1)!.at).toBe(feed.at(-2)!.at)
  })

  it('refuses a move past a WIP limit and changes nothing', async () => {
    const store = open(memoryStorage())
    await seedDemoBoard(store, now)
    await store.dispatch(moveCard({ boardId: demoBoardId, cardId: 'shortcuts', to: 'review', position: 0 }))
    const before = { board: store.read(boardView), feed: store.read(activity), stats: store.read(dashboard), position: store.position }
    const error = await store.dispatch(moveCard({ boardId: demoBoardId, cardId: 'emails', to: 'review', position: 0 })).catch((e: unknown) => e)
    expect(isChronicleError(error, 'RuleViolation') && error.message).toBe('“Review” is at its WIP limit of 2. Finish or move a card out of it first, or raise the limit.')
    expect({ board: store.read(boardView), feed: store.read(activity), stats: store.read(dashboard), position: store.position }).toEqual(before)
  })

  it('rebuilds every read model from the log alone', async () => {
    const storage = memoryStorage()
    const first = open(storage)
    await seedDemoBoard(first, now)
    await until(first, dashboard, (s) => s.boards[demoBoardId]!.completions.length === 5)
    const log = await (await storage.open('kanban')).readLog(0)
    const fresh = memoryStorage()
    const copy = await fresh.open('kanban')
    for (const event of log) {
      const { seq: _seq, ...rest } = event
      await copy.append([{ commandId: event.meta.commandId, stream: event.stream, expectedVersion: event.version - 1, idempotent: false, events: [rest] }])
    }
    const rebuilt = open(fresh)
    await rebuilt.ready
    for (const projection of projections) expect(rebuilt.read(projection)).toEqual(first.read(projection))
  })
})
