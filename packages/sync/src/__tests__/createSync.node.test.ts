// createSync against real server processes (the CLI with core's Kanban fixtures, on loopback),
// with stores over in-memory logs: the browser's IndexedDB side is in createSync.browser.test.ts.
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createStore, isChronicleError, memoryStorage, newId, type Store, type SyncConnector, type SyncRejection } from '@chronicle/core'
import { type SyncConnection, type SyncConnectionStatus } from '@chronicle/core/sync'
import { createSync, type WebSocketLike } from '../index'
import { addCard, boardView, commands, moveCard } from '../../../core/src/__tests__/fixtures'
import { kanbanTokens } from '../../../server/src/__tests__/kanban'
import { startFlakyProxy, type FlakyProxy } from '../../../server/src/__tests__/flakyProxy'
import { eventually, kanbanDomainPath, startServer, storedEvents, tempDir, type ServerProcess } from '../../../server/src/__tests__/harness'
import { openDevice, synced } from './devices'

const dir = tempDir('sync-client')
afterAll(() => dir.remove())

const running: { close(): Promise<unknown> }[] = []
afterEach(async () => {
  for (const item of running.splice(0).reverse()) await item.close()
})

let servers = 0
async function server(args: readonly string[] = []) {
  const db = `${dir.path}/data-${++servers}.sqlite`
  const process: ServerProcess = await startServer({ db }, { domain: kanbanDomainPath, args })
  running.push({ close: () => process.kill('SIGTERM') })
  return { url: process.url, db }
}

async function proxyTo(url: string, seed = 1): Promise<FlakyProxy> {
  const proxy = await startFlakyProxy(url, { seed, weights: { pass: 1, 'drop-before': 0, 'error-before': 0, 'drop-after': 0, 'error-after': 0, slow: 0 } })
  running.push(proxy)
  return proxy
}

/** The connections a connector started (a pass-through, so a test can watch one). */
const connections: SyncConnection[] = []
const watched = (connector: SyncConnector): SyncConnector => ({
  outbox: connector.outbox,
  connect(host) {
    const connection = connector.connect(host)
    connections.push(connection)
    return connection
  },
})

/** A device with its own in-memory log, closed after the test. */
function device(url: string): Store {
  const store = openDevice({ url, storage: memoryStorage(), WebSocket })
  running.push(store)
  return store
}

describe('createSync against a real server', () => {
  it('pushes commands, confirms them, and shows every device the server order', async () => {
    const { url, db } = await server()
    const a = device(url)
    const b = device(url)
    await synced(b, 0)
    const first = await a.dispatch(addCard({ boardId: 'b', cardId: 'a1', title: 'from a' }))
    await a.sync!.confirmation(first.commandId)
    // b, idle, hears of a's command live.
    await synced(b, 1)
    expect(b.read(boardView).columns.todo).toEqual(['a1'])
    await b.dispatch(addCard({ boardId: 'b', cardId: 'b1', title: 'from b' }))
    await synced(b, 2)
    await synced(a, 2)
    expect(a.read(boardView)).toEqual({ columns: { todo: ['a1', 'b1'] }, count: 2 })
    expect(b.read(boardView)).toEqual(a.read(boardView))
    expect((await storedEvents({ db })).map((e) => e.payload.cardId)).toEqual(['a1', 'b1'])
    expect(a.sync!.status).toMatchObject({ online: true, connected: true, lastError: undefined })
  })

  it('rolls back a command the server rejects on its own device only, with the typed error', async () => {
    const { url } = await server()
    const link = await proxyTo(url)
    const a = device(url)
    const b = device(link.url)
    for (const id of ['c1', 'c2', 'c3', 'c4']) await a.dispatch(addCard({ boardId: 'b', cardId: id, title: id }))
    await synced(a, 4)
    await synced(b, 4)
    const rejections: SyncRejection[] = []
    b.sync!.rejections$.subscribe((r) => rejections.push(r))
    // WIP limit 3: a fills "doing" on the server while b, offline, moves a fourth card there.
    link.setDown(true)
    for (const id of ['c1', 'c2', 'c3']) await a.dispatch(moveCard({ boardId: 'b', cardId: id, to: 'doing' }))
    await synced(a, 7)
    const move = await b.dispatch(moveCard({ boardId: 'b', cardId: 'c4', to: 'doing' }))
    expect(b.read(boardView).columns).toEqual({ todo: ['c1', 'c2', 'c3'], doing: ['c4'] })
    await eventually(() => expect(b.sync!.status).toMatchObject({ online: false, pending: 1 }), 'b offline')
    expect(b.sync!.status.lastError).toMatch(/reach the sync server/)
    link.setDown(false)
    const outcome = await b.sync!.confirmation(move.commandId).catch((e: unknown) => e)
    expect(isChronicleError(outcome, 'SyncRejected') && [outcome.code, outcome.reason.name]).toEqual(['wip-limit', 'RuleViolation'])
    expect(rejections.map((r) => [r.commandId, r.type])).toEqual([[move.commandId, 'moveCard']])
    await synced(b, 7)
    expect(b.read(boardView).columns).toEqual({ todo: ['c4'], doing: ['c1', 'c2', 'c3'] })
    await synced(a, 7)
    expect(a.read(boardView)).toEqual(b.read(boardView))
  })

  it('delivers every command exactly once, in order, over a link that drops, fails and delays requests', async () => {
    const { url, db } = await server()
    const link = await startFlakyProxy(url, { seed: 11 })
    running.push(link)
    const a = device(link.url)
    const ids = Array.from({ length: 30 }, (_, i) => `f${i}`)
    for (const [i, id] of ids.entries()) {
      await a.dispatch(addCard({ boardId: 'b', cardId: id, title: id }))
      if (i % 3 === 2) await a.dispatch(moveCard({ boardId: 'b', cardId: ids[i - 2]!, to: `column-${i}` }))
    }
    await eventually(() => expect(a.sync!.status).toMatchObject({ pending: 0, confirmedPosition: 40 }), 'the outbox to drain', 30_000)
    const stored = await storedEvents({ db })
    // A command executed twice would show as a second event (or a card-exists rejection): none.
    expect(new Set(stored.map((e) => e.commandId)).size).toBe(stored.length)
    expect(stored.filter((e) => e.type === 'CardAdded').map((e) => e.payload.cardId)).toEqual(ids)
    // Requests failed before reaching the server and, the case exactly-once is about, after it ran.
    expect(link.stats['drop-before'] + link.stats['error-before'], 'failed before').toBeGreaterThan(0)
    expect(link.stats['drop-after'] + link.stats['error-after'], 'answers lost').toBeGreaterThan(0)
    expect(a.read(boardView).count).toBe(30)
    expect(a.read(boardView).columns['column-29']).toEqual(['f27'])
    expect((await a.log()).map((e) => e.meta.commandId)).toEqual(stored.map((e) => e.commandId))
  })

  it('runs undo and redo through the server, shown at once on the device and then on the others', async () => {
    const { url, db } = await server()
    const a = device(url)
    const b = device(url)
    await a.dispatch(addCard({ boardId: 'b', cardId: 'u1', title: 'one' }))
    const added = await a.dispatch(addCard({ boardId: 'b', cardId: 'u2', title: 'two' }))
    await synced(a, 2)
    const undo = await a.history.undo()
    expect(a.read(boardView)).toEqual({ columns: { todo: ['u1'] }, count: 1 })
    await a.sync!.confirmation(undo.commandId)
    await synced(b, 3)
    expect(b.read(boardView)).toEqual({ columns: { todo: ['u1'] }, count: 1 })
    const redo = await a.history.redo()
    expect(a.read(boardView).count).toBe(2)
    await a.sync!.confirmation(redo.commandId)
    await synced(b, 4)
    expect(b.read(boardView)).toEqual({ columns: { todo: ['u1', 'u2'] }, count: 2 })
    expect((await storedEvents({ db })).map((e) => [e.type, e.payload.commandId ?? e.payload.cardId])).toEqual([
      ['CardAdded', 'u1'],
      ['CardAdded', 'u2'],
      ['Undone', added.commandId],
      ['Redone', added.commandId],
    ])
  })

  it('splits pushes the server finds too large, waits out rate limits, and refuses alone a command the server will never take', async () => {
    // At most 2 commands per push, 4 per second after a burst of 2, bodies of at most 4000 bytes.
    const { url, db } = await server(['--rate', '4', '--burst', '2', '--max-body', '4000'])
    const link = await proxyTo(url)
    link.setDown(true)
    const a = device(link.url)
    const ids = ['s1', 's2', 's3', 'huge', 's4', 's5', 's6']
    const receipts = []
    for (const id of ids) receipts.push(await a.dispatch(addCard({ boardId: 'b', cardId: id, title: id === 'huge' ? 'x'.repeat(5000) : id })))
    const huge = a.sync!.confirmation(receipts[3]!.commandId).catch((e: unknown) => e)
    const errors = new Set<string>()
    a.sync!.status$.subscribe((s) => s.lastError && errors.add(s.lastError))
    link.setDown(false)
    await synced(a, 6)
    const refusal = await huge
    expect(isChronicleError(refusal, 'SyncRejected') && [refusal.code, refusal.reason.name]).toEqual(['payload-too-large', 'ValidationError'])
    expect((await storedEvents({ db })).map((e) => e.payload.cardId)).toEqual(['s1', 's2', 's3', 's4', 's5', 's6'])
    expect(a.read(boardView).columns.todo).toEqual(['s1', 's2', 's3', 's4', 's5', 's6'])
    expect([...errors].some((e) => e.startsWith('Too many commands'))).toBe(true)
  })

  it('stops cleanly when the store closes: no request after, the live socket closed, the status completed', async () => {
    const { url } = await server()
    const link = await proxyTo(url)
    const store = createStore({ name: 'kanban', commands, storage: memoryStorage(), sync: watched(createSync({ url: link.url, auth: kanbanTokens.ann, WebSocket })) })
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await synced(store, 1)
    await eventually(() => expect(link.sockets).toBe(1), 'the live socket')
    const statuses: SyncConnectionStatus[] = []
    let completed = false
    connections.at(-1)!.status$.subscribe({ next: (s) => statuses.push(s), complete: () => (completed = true) })
    await store.close()
    expect(completed).toBe(true)
    expect(statuses.at(-1)).toEqual({ online: false, pushing: false, pulling: false, lastError: undefined })
    // Another device keeps the server busy (live events the closed one would have pulled).
    const total = () => Object.values(link.stats).reduce((a, b) => a + b, 0)
    const other = device(url)
    await other.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    await synced(other, 2)
    await eventually(() => expect(link.sockets).toBe(0), 'the live socket to close')
    // (A request the closed device had on the wire when it stopped has arrived by now.)
    const requests = total()
    await other.dispatch(addCard({ boardId: 'b', cardId: 'c3', title: 'three' }))
    await synced(other, 3)
    expect(total()).toBe(requests)
  })

  it('drops a live page that a pull already brought in, instead of handing the store events it holds', async () => {
    const { url } = await server()
    // The live socket's messages that mention `held` wait until the push's pull is taking that
    // command in: the live page then queues behind the pull, as when the socket lags.
    const held = newId()
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    class LaggingSocket implements WebSocketLike {
      readonly #ws: WebSocket
      onopen: WebSocketLike['onopen'] = null
      onmessage: WebSocketLike['onmessage'] = null
      onclose: WebSocketLike['onclose'] = null
      onerror: WebSocketLike['onerror'] = null
      constructor(address: string) {
        const ws = (this.#ws = new WebSocket(address))
        let delivering = Promise.resolve()
        ws.onopen = (event) => this.onopen?.(event)
        ws.onclose = (event) => this.onclose?.(event)
        ws.onerror = (event) => this.onerror?.(event)
        ws.onmessage = ({ data }) => {
          delivering = delivering.then(async () => {
            if (String(data).includes(held)) await released
            this.onmessage?.({ data })
          })
        }
      }
      get readyState() {
        return this.#ws.readyState
      }
      send(data: string) {
        this.#ws.send(data)
      }
      close(code?: number, reason?: string) {
        this.#ws.close(code, reason)
      }
    }
    const handed: { positions: number[]; held: number }[] = []
    const connector = createSync({ url, auth: kanbanTokens.ann, WebSocket: LaggingSocket, retry: { initialDelay: 10, maxDelay: 100 }, live: { pollInterval: 50, reconnectDelay: 20, maxReconnectDelay: 100 } })
    const store = createStore({
      name: 'kanban',
      commands,
      projections: [boardView],
      storage: memoryStorage(),
      sync: {
        outbox: connector.outbox,
        connect: (host) =>
          connector.connect({
            ...host,
            async receive(update) {
              handed.push({ positions: update.events.map((e) => e.position), held: await host.position() })
              if (update.settled.includes(held)) release()
              return host.receive(update)
            },
          }),
      },
    })
    running.push(store)
    await synced(store, 0)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }, { commandId: held }))
    await synced(store, 1)
    // A later command's round runs after the lagging live page was dealt with.
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    await synced(store, 2)
    expect(handed.filter((call) => call.positions.some((p) => p <= call.held))).toEqual([])
    expect(handed.flatMap((call) => call.positions)).toEqual([1, 2])
    expect(store.read(boardView)).toEqual({ columns: { todo: ['c1', 'c2'] }, count: 2 })
  })
})
