import { describe, expect, it } from 'vitest'
import { BehaviorSubject } from 'rxjs'
import { createStore, isChronicleError, memoryStorage, type StorageBackend, type SyncConnector, type SyncRejection } from '../index'
import { type SyncHost } from '../sync/index'
import { addCard, boardView, commands, moveCard } from './fixtures'
import { loopbackServer } from './loopback'

function setup() {
  const { server, client } = loopbackServer(commands)
  const open = (storage: StorageBackend = memoryStorage()) => {
    const link = client()
    const store = createStore({ name: 'kanban', commands, projections: [boardView], storage, sync: link })
    return { store, link, storage }
  }
  return { server, open }
}

describe('sync in the store (outbox, provisional events, rebase)', () => {
  it('refuses a connector that does not bring the outbox, saying what to pass', () => {
    const { client } = loopbackServer(commands)
    const { outbox: _, ...withoutOutbox } = client()
    const create = () => createStore({ name: 'kanban', commands, storage: memoryStorage(), sync: withoutOutbox as unknown as SyncConnector })
    expect(create).toThrow(expect.objectContaining({ name: 'ConfigurationError', code: 'invalid-connector' }))
    expect(create).toThrow(/outbox: syncOutbox/)
  })

  it('shows a command at once, keeps it in the outbox, and confirms it from the server', async () => {
    const { open, server } = setup()
    const { store, link, storage } = open()
    const receipt = await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    expect(store.read(boardView)).toEqual({ columns: { todo: ['c1'] }, count: 1 })
    const log = await storage.open('kanban')
    expect(await log.readLog(0)).toEqual([])
    expect((await log.outbox!.readPending()).map((c) => c.commandId)).toEqual([receipt.commandId])
    expect(store.sync?.status.pending).toBe(1)

    const confirmed = store.sync!.confirmation(receipt.commandId)
    await link.round()
    await confirmed
    expect(await log.outbox!.readPending()).toEqual([])
    expect((await log.readLog(0)).map((e) => e.meta.commandId)).toEqual([receipt.commandId])
    expect(store.read(boardView)).toEqual({ columns: { todo: ['c1'] }, count: 1 })
    expect(store.sync?.status).toMatchObject({ pending: 0, confirmedPosition: 1 })
    expect(server.position).toBe(1)
  })

  it('never shows a command twice while its confirmed events replace its provisional ones', async () => {
    const { open } = setup()
    const { store, link } = open()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    const seen: unknown[] = []
    const subscription = store.query(boardView).subscribe((state) => seen.push(state))
    await link.round()
    subscription.unsubscribe()
    expect(store.sync?.status.pending).toBe(0)
    expect(new Set(seen.map((state) => JSON.stringify(state)))).toEqual(new Set([JSON.stringify({ columns: { todo: ['c2'], doing: ['c1'] }, count: 2 })]))
  })

  it('rolls back a command the server rejects, on that client only, and tells the app why', async () => {
    const { open } = setup()
    const a = open()
    const b = open()
    await a.store.dispatch(addCard({ boardId: 'b', cardId: 'shared', title: 'from a' }))
    const fromB = await b.store.dispatch(addCard({ boardId: 'b', cardId: 'shared', title: 'from b' }))
    await b.store.dispatch(addCard({ boardId: 'b', cardId: 'only-b', title: 'b' }))
    const rejections: SyncRejection[] = []
    b.store.sync!.rejections$.subscribe((r) => rejections.push(r))
    const outcome = b.store.sync!.confirmation(fromB.commandId).catch((e: unknown) => e)

    await a.link.round()
    await b.link.round()
    const error = await outcome
    expect(isChronicleError(error, 'SyncRejected') && error.code).toBe('card-exists')
    expect(rejections.map((r) => [r.commandId, r.type, r.error.reason.name])).toEqual([[fromB.commandId, 'addCard', 'RuleViolation']])
    // b shows the server's card (a's) and its own other card; nothing of the rejected command.
    expect(b.store.read(boardView)).toEqual({ columns: { todo: ['shared', 'only-b'] }, count: 2 })
    await a.link.round()
    expect(a.store.read(boardView)).toEqual(b.store.read(boardView))
  })

  it('rebases pending commands on top of confirmed events: two offline clients converge', async () => {
    const { open } = setup()
    const a = open()
    const b = open()
    for (const id of ['a1', 'a2']) await a.store.dispatch(addCard({ boardId: 'b', cardId: id, title: id }))
    for (const id of ['b1', 'b2']) await b.store.dispatch(addCard({ boardId: 'b', cardId: id, title: id }))
    await b.store.dispatch(moveCard({ boardId: 'b', cardId: 'b1', to: 'doing' }))
    await a.link.round()
    // b's round confirms a's events first, then its own on top, in the server's order.
    await b.link.round()
    await a.link.round()
    expect(a.store.read(boardView)).toEqual({ columns: { todo: ['a1', 'a2', 'b2'], doing: ['b1'] }, count: 4 })
    expect(b.store.read(boardView)).toEqual(a.store.read(boardView))
  })

  it('keeps the outbox across a reload and pushes it later', async () => {
    const { open, server } = setup()
    const storage = memoryStorage()
    const first = open(storage)
    await first.store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'offline' }))
    await first.store.close()
    const second = open(storage)
    await second.store.ready
    expect(second.store.read(boardView).count).toBe(1)
    expect(second.store.sync?.status.pending).toBe(1)
    await second.link.round()
    expect(server.position).toBe(1)
    expect(second.store.sync?.status.pending).toBe(0)
  })

  it('lists the commands waiting in the outbox, across a reload, until the server settles them', async () => {
    const { open } = setup()
    const storage = memoryStorage()
    const first = open(storage)
    const lists: string[][] = []
    first.store.sync!.pendingCommands$.subscribe((list) => lists.push(list.map((c) => c.type)))
    const add = await first.store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'offline' }))
    const move = await first.store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' }))
    await first.store.history.undo()
    expect(first.store.sync!.pendingCommands).toEqual([
      {
        commandId: add.commandId,
        type: 'addCard',
        payload: { boardId: 'b', cardId: 'c1', title: 'offline' },
        at: expect.any(Number),
        stream: 'board-b',
        events: [{ type: 'CardAdded', stream: 'board-b', payload: { cardId: 'c1', title: 'offline', column: 'todo' } }],
      },
      {
        commandId: move.commandId,
        type: 'moveCard',
        payload: { boardId: 'b', cardId: 'c1', to: 'doing' },
        at: expect.any(Number),
        stream: 'board-b',
        events: [{ type: 'CardMoved', stream: 'board-b', payload: { cardId: 'c1', from: 'todo', to: 'doing' } }],
      },
      {
        commandId: expect.any(String),
        type: 'moveCard',
        payload: null,
        at: expect.any(Number),
        stream: 'board-b',
        events: [{ type: 'Undone', stream: 'board-b', payload: { commandId: move.commandId } }],
        history: { kind: 'undo', target: move.commandId },
      },
    ])
    expect(lists).toEqual([[], ['addCard'], ['addCard', 'moveCard'], ['addCard', 'moveCard', 'moveCard']])
    await first.store.close()

    const second = open(storage)
    await second.store.ready
    expect(second.store.sync!.pendingCommands.map((c) => c.commandId)).toEqual(first.store.sync!.pendingCommands.map((c) => c.commandId))
    await second.link.round()
    expect(second.store.sync!.pendingCommands).toEqual([])
  })

  it('shows an undo or redo waiting in the outbox at once, of confirmed and of pending commands', async () => {
    const { open, server } = setup()
    const a = open()
    const b = open()
    await a.store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await a.store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    await a.link.round()
    await a.store.dispatch(moveCard({ boardId: 'b', cardId: 'c2', to: 'doing' }))
    // Undo the pending move, then the confirmed add beneath it: neither is on the server yet.
    await a.store.history.undo()
    expect(a.store.read(boardView)).toEqual({ columns: { todo: ['c1', 'c2'] }, count: 2 })
    await a.store.history.undo()
    expect(a.store.read(boardView)).toEqual({ columns: { todo: ['c1'] }, count: 1 })
    await a.store.history.redo()
    expect(a.store.read(boardView)).toEqual({ columns: { todo: ['c1', 'c2'] }, count: 2 })
    await a.store.history.undo()
    await a.link.round()
    expect(server.position).toBe(7)
    expect(a.store.read(boardView)).toEqual({ columns: { todo: ['c1'] }, count: 1 })
    expect(a.store.sync?.status.pending).toBe(0)
    await b.link.round()
    expect(b.store.read(boardView)).toEqual(a.store.read(boardView))
  })

  it('shows an undo from the outbox of a command older than the events in memory (a cold start from a checkpoint)', async () => {
    const { open } = setup()
    const storage = memoryStorage()
    const first = open(storage)
    await first.store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    const old = await first.store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    await first.link.round()
    await first.store.close()
    // Reopened from the checkpoint at position 2: c2's events are in the log, not in memory.
    const second = open(storage)
    await second.store.ready
    await second.store.undoCommand(old.commandId)
    expect(second.store.read(boardView)).toEqual({ columns: { todo: ['c1'] }, count: 1 })
    await second.link.round()
    expect(second.store.read(boardView)).toEqual({ columns: { todo: ['c1'] }, count: 1 })
    expect(second.store.sync?.status.pending).toBe(0)
  })

  it('takes an answer that brings nothing new (events the log already holds) without deciding the outbox again', async () => {
    const { server, client } = loopbackServer(commands)
    const backend = memoryStorage()
    const streamReads: string[] = []
    const storage: StorageBackend = {
      kind: backend.kind,
      async open(name) {
        const log = await backend.open(name)
        return Object.assign(Object.create(log) as typeof log, {
          readStream: (stream: string, afterVersion: number) => {
            streamReads.push(stream)
            return log.readStream(stream, afterVersion)
          },
          streams: {
            ...log.streams!,
            readStreams: (streams: readonly string[]) => {
              streamReads.push(...streams)
              return log.streams!.readStreams(streams)
            },
          },
        })
      },
    }
    // A connector that hands the test the store's host, besides the loopback that syncs it.
    const link = client()
    let host: SyncHost | undefined
    const store = createStore({
      name: 'kanban',
      commands,
      projections: [boardView],
      storage,
      sync: {
        outbox: link.outbox,
        connect(h) {
          host = h
          link.connect(h)
          return { status$: new BehaviorSubject({ online: true, pushing: false, pulling: false, lastError: undefined }), stop: () => undefined }
        },
      },
    })
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await link.round()
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    const pending = store.sync!.pendingCommands
    const shown = store.read(boardView)
    streamReads.length = 0

    // A live page that lags behind the pull which already stored its event.
    const [stored] = (await server.log()).map(({ seq, ...event }) => ({ ...event, position: seq }))
    await host!.receive({ events: [stored!], settled: [], rejected: [], position: 1 })
    expect(streamReads).toEqual([])
    expect(store.sync!.pendingCommands).toBe(pending)
    expect(store.read(boardView)).toBe(shown)
    expect(await (await storage.open('kanban')).readLog(0)).toHaveLength(1)

    // The pending command still goes through as decided.
    await link.round()
    expect(store.read(boardView)).toEqual({ columns: { todo: ['c1', 'c2'] }, count: 2 })
    expect(store.sync!.status).toMatchObject({ pending: 0, confirmedPosition: 2 })
  })
})

describe('optimistic read models with sync on', () => {
  it('show a command while the outbox stores it, on top of the outbox’s provisional events, in the task of its dispatch', async () => {
    const { open } = setup()
    const inner = memoryStorage()
    let held: Promise<void> | undefined
    let failure: unknown
    const storage: StorageBackend = {
      kind: 'memory',
      async open(name) {
        const log = await inner.open(name)
        const outbox = log.outbox!
        return {
          ...log,
          outbox: {
            ...outbox,
            putPending: async (entries) => {
              await held
              if (failure) throw failure
              return outbox.putPending(entries)
            },
          },
        }
      },
    }
    const { store } = open(storage)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'stored' }))
    let release!: () => void
    held = new Promise<void>((resolve) => (release = resolve))
    const task = { ended: false }
    setTimeout(() => (task.ended = true), 0)
    const seen: { todo: readonly string[]; ended: boolean }[] = []
    store.query(boardView, (s) => s.columns.todo ?? []).subscribe((todo) => seen.push({ todo, ended: task.ended }))
    const dispatched = store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'in flight' }))
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(seen).toEqual([
      { todo: ['c1'], ended: false },
      { todo: ['c1', 'c2'], ended: false },
    ])
    expect(store.provisional(boardView)).toBe(true)
    release()
    await dispatched
    expect(store.read(boardView).columns.todo).toEqual(['c1', 'c2'])
    // A failed outbox write takes the command back, the outbox's earlier command stays.
    held = undefined
    failure = new Error('disk full')
    const errors: string[] = []
    store.errors$.subscribe((error) => errors.push(error.code))
    await expect(store.dispatch(addCard({ boardId: 'b', cardId: 'c3', title: 'lost' }))).rejects.toThrow('disk full')
    expect(store.read(boardView).columns.todo).toEqual(['c1', 'c2'])
    expect(seen.at(-1)!.todo).toEqual(['c1', 'c2'])
    expect(errors).toEqual(['failed'])
  })
})
