// createSync in real Chromium with IndexedDB stores, against real server processes on loopback
// (started by the commands in browserCommands.ts), each device behind a link the test takes down.
import { afterEach, describe, expect, it } from 'vitest'
import { commands as node } from 'vitest/browser'
import { indexedDbStorage, isChronicleError, type Store, type SyncRejection } from '@chronicle/core'
import { createSyncClient, type RetryOptions } from '../index'
import { addCard, boardView, moveCard } from '../../../core/src/__tests__/fixtures'
import { kanbanTokens } from '../../../server/src/__tests__/kanban'
import { openDevice, synced } from './devices'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function server() {
  const url = await node.startSyncServer()
  cleanup.push(() => node.stopSyncServer(url))
  return url
}

async function link(target: string, seed?: number) {
  const url = await node.openLink(target, seed)
  cleanup.push(() => node.closeLink(url))
  return url
}

let databases = 0
/** A device with its own IndexedDB log (`name` reopens an earlier one), closed after the test. */
function device(url: string, name = `sync-device-${Date.now()}-${++databases}`, retry?: RetryOptions): Store {
  const store = openDevice({ url, storage: indexedDbStorage(), name, ...(retry ? { retry } : {}) })
  cleanup.push(() => store.close())
  return store
}

/** Every event the server holds, as its log has them. */
async function serverLog(url: string) {
  const page = await createSyncClient({ url, token: kanbanTokens.ann }).pull(0, { limit: 1000 })
  return page.events
}

const until = async (check: () => void) => {
  for (;;) {
    try {
      return check()
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

describe('createSync in the browser (IndexedDB, real server processes)', () => {
  it('two devices offline make conflicting commands, come online and converge on the server order; each rejection stays on its device', async () => {
    const url = await server()
    const [linkA, linkB] = [await link(url), await link(url)]
    const a = device(linkA)
    const b = device(linkB)
    for (const id of ['c1', 'c2', 'c3', 'c4']) await a.dispatch(addCard({ boardId: 'b', cardId: id, title: id }))
    await synced(a, 4)
    await synced(b, 4)

    await node.setLink(linkA, { down: true })
    await node.setLink(linkB, { down: true })
    // The WIP limit of "doing" is 3: each device, offline, moves two cards there and adds card x.
    for (const id of ['c1', 'c2']) await a.dispatch(moveCard({ boardId: 'b', cardId: id, to: 'doing' }))
    await a.dispatch(addCard({ boardId: 'b', cardId: 'x', title: 'x from a' }))
    const moves = [await b.dispatch(moveCard({ boardId: 'b', cardId: 'c3', to: 'doing' })), await b.dispatch(moveCard({ boardId: 'b', cardId: 'c4', to: 'doing' }))]
    const addX = await b.dispatch(addCard({ boardId: 'b', cardId: 'x', title: 'x from b' }))
    expect(a.read(boardView).columns).toEqual({ todo: ['c3', 'c4', 'x'], doing: ['c1', 'c2'] })
    expect(b.read(boardView).columns).toEqual({ todo: ['c1', 'c2', 'x'], doing: ['c3', 'c4'] })
    await until(() => expect([a.sync!.status.online, b.sync!.status.online]).toEqual([false, false]))

    const rejected: Record<string, SyncRejection[]> = { a: [], b: [] }
    a.sync!.rejections$.subscribe((r) => rejected.a!.push(r))
    b.sync!.rejections$.subscribe((r) => rejected.b!.push(r))
    const outcomes = [...moves, addX].map((receipt) => b.sync!.confirmation(receipt.commandId).then(() => 'confirmed', (error: unknown) => (isChronicleError(error, 'SyncRejected') ? error.code : error)))
    await node.setLink(linkA, { down: false })
    await synced(a, 7)
    await node.setLink(linkB, { down: false })
    expect(await Promise.all(outcomes)).toEqual(['confirmed', 'wip-limit', 'card-exists'])
    await synced(b, 8)
    await synced(a, 8)

    const converged = { todo: ['c4', 'x'], doing: ['c1', 'c2', 'c3'] }
    expect(b.read(boardView).columns).toEqual(converged)
    expect(a.read(boardView).columns).toEqual(converged)
    expect(rejected.a).toEqual([])
    expect(rejected.b!.map((r) => [r.type, r.error.code, r.payload])).toEqual([
      ['moveCard', 'wip-limit', { boardId: 'b', cardId: 'c4', to: 'doing' }],
      ['addCard', 'card-exists', { boardId: 'b', cardId: 'x', title: 'x from b' }],
    ])
    // Both logs are the server's, event for event.
    const truth = (await serverLog(url)).map((e) => e.id)
    expect((await a.log()).map((e) => e.id)).toEqual(truth)
    expect((await b.log()).map((e) => e.id)).toEqual(truth)
  })

  it('keeps the outbox across a reload (close and reopen) and pushes it once online', async () => {
    const url = await server()
    const offline = await link(url)
    await node.setLink(offline, { down: true })
    const name = `sync-reload-${Date.now()}`
    const first = device(offline, name)
    await first.dispatch(addCard({ boardId: 'b', cardId: 'r1', title: 'written offline' }))
    await first.dispatch(moveCard({ boardId: 'b', cardId: 'r1', to: 'doing' }))
    expect(first.sync!.status.pending).toBe(2)
    await first.close()

    const second = device(url, name)
    await second.ready
    expect(second.read(boardView).columns).toEqual({ todo: [], doing: ['r1'] })
    await synced(second, 2)
    expect((await serverLog(url)).map((e) => e.type)).toEqual(['CardAdded', 'CardMoved'])
    const log = await indexedDbStorage().open(name)
    expect(await log.outbox!.readPending()).toEqual([])
    expect((await log.readLog(0)).map((e) => e.type)).toEqual(['CardAdded', 'CardMoved'])
    log.close()
  })

  it('delivers every command exactly once, in order, over a link that drops, fails and delays requests, across a reload', async () => {
    const url = await server()
    const flaky = await link(url, 7)
    await node.setLink(flaky, { faults: { pass: 4, 'drop-before': 1, 'error-before': 1, 'drop-after': 2, 'error-after': 1, slow: 1 } })
    const name = `sync-flaky-${Date.now()}`
    const ids = Array.from({ length: 24 }, (_, i) => `f${i}`)
    let store = device(flaky, name)
    for (const [i, id] of ids.entries()) {
      if (i === 12) {
        // A reload in the middle, with commands possibly in flight.
        await store.close()
        store = device(flaky, name)
      }
      await store.dispatch(addCard({ boardId: 'b', cardId: id, title: id }))
    }
    await synced(store, ids.length)
    const events = await serverLog(url)
    expect(events.map((e) => e.payload)).toEqual(ids.map((id) => ({ cardId: id, column: 'todo', title: id })))
    expect(new Set(events.map((e) => e.meta.commandId)).size).toBe(ids.length)
    const stats = await node.linkStats(flaky)
    expect(stats['drop-after'] + stats['error-after'], 'answers lost after the server ran the request').toBeGreaterThan(0)
    expect((await store.log()).map((e) => e.id)).toEqual(events.map((e) => e.id))
    expect(store.read(boardView).count).toBe(ids.length)
  })

  it("goes offline on the browser's offline event and retries at once on its online event, whatever the backoff", async () => {
    const url = await server()
    const flaky = await link(url)
    // A backoff of a minute: only the online event can bring this device back within the test.
    const store = device(flaky, undefined, { initialDelay: 60_000, maxDelay: 60_000 })
    await synced(store, 0)
    await node.setLink(flaky, { down: true })
    window.dispatchEvent(new Event('offline'))
    expect(store.sync!.status.online).toBe(false)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'e1', title: 'while offline' }))
    await until(() => expect(store.sync!.status.lastError).toMatch(/reach the sync server/))
    await node.setLink(flaky, { down: false })
    window.dispatchEvent(new Event('online'))
    await synced(store, 1)
    expect(store.sync!.status).toMatchObject({ online: true, lastError: undefined })
  })
})
