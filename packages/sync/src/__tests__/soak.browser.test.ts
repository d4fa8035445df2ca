// Soak: many commands through one IndexedDB store with sync on, against a real server process, in
// real Chromium. Memory is measured after forced garbage collections at the start, at intervals
// and at the end: the page's JS heap may grow with the data it holds (the log it keeps in memory,
// the read model) and by nothing else; the server's heap is capped, so a server that kept every
// command would run out of memory. `pnpm test` runs 20,000 commands; `pnpm soak` runs 100,000.
import { afterEach, describe, expect, it } from 'vitest'
import { cdp, commands as node } from 'vitest/browser'
import { indexedDbStorage, newId, type EventEnvelope, type Store } from '@chronicle/core'
import { createSyncClient } from '../index'
import { addCard, boardView } from '../../../core/src/__tests__/fixtures'
import { kanbanTokens } from '../../../server/src/__tests__/kanban'
import { openDevice, synced } from './devices'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** The page's used JS heap after two full garbage collections, in bytes. */
async function heapUsed(): Promise<number> {
  const session = cdp()
  await session.send('HeapProfiler.collectGarbage')
  await session.send('HeapProfiler.collectGarbage')
  const { usedSize } = (await session.send('Runtime.getHeapUsage')) as { usedSize: number }
  return usedSize
}

/** Every event of the server's log, page by page. */
async function serverLog(url: string): Promise<EventEnvelope[]> {
  const client = createSyncClient({ url, token: kanbanTokens.ann })
  const events: EventEnvelope[] = []
  for (let after = 0; ; ) {
    const page = await client.pull(after, { limit: 1000 })
    events.push(...page.events)
    after = page.next
    if (!page.more) return events
  }
}

/** boardView folded from scratch over `events`, outside any store. */
function fold(events: readonly EventEnvelope[]) {
  const state = structuredClone(boardView.initial)
  const handlers = boardView.on as Record<string, ((draft: unknown, payload: unknown, envelope: EventEnvelope) => void) | undefined>
  for (const event of events) handlers[event.type]?.(state, event.payload, event)
  return state
}

const MB = 1024 * 1024
/** Commands per burst: dispatched together, then the burst waits until the server confirmed them. */
const burst = 1000
/** Boards the commands spread over (one stream each). */
const boards = 50
/** The server's V8 old space in MB: enough for its working set, far too little to keep every command. */
const serverHeapMb = 96

const total = await node.soakCommands()

describe('soak (real Chromium, IndexedDB, a real sync server process)', () => {
  it('runs every command through one synced store: each confirmed once, outbox empty, read model = server log fold, memory bounded by the data', async () => {
    const url = await node.startSyncServer({ maxHeapMb: serverHeapMb })
    cleanup.push(() => node.stopSyncServer(url))
    const name = `soak-${Date.now()}`
    const store: Store = openDevice({ url, storage: indexedDbStorage(), name })
    cleanup.push(() => store.close())
    await store.ready
    await synced(store, 0)
    const sync = store.sync!

    const started = performance.now()
    const heap = [{ commands: 0, used: await heapUsed() }]
    const rss = [{ commands: 0, rss: await node.serverMemory(url) }]
    let confirmed = 0
    const failures: unknown[] = []
    const sample = Math.max(burst, Math.round(total / 10 / burst) * burst)
    for (let done = 0; done < total; ) {
      const size = Math.min(burst, total - done)
      const ids = Array.from({ length: size }, () => newId())
      for (const id of ids) sync.confirmation(id).then(() => confirmed++, (error: unknown) => failures.push(error))
      await Promise.all(
        ids.map((commandId, i) => {
          const n = done + i
          return store.dispatch(addCard({ boardId: `b${n % boards}`, cardId: `c${n}`, title: `card ${n}` }, { commandId }))
        }),
      )
      done += size
      await synced(store, done)
      if (done % sample === 0 || done === total) {
        heap.push({ commands: done, used: await heapUsed() })
        rss.push({ commands: done, rss: await node.serverMemory(url) })
      }
    }
    const seconds = (performance.now() - started) / 1000

    // Every command confirmed exactly once, none rejected, nothing left to push.
    expect(failures).toEqual([])
    expect(confirmed).toBe(total)
    expect(sync.status).toMatchObject({ pending: 0, confirmedPosition: total })
    expect(sync.pendingCommands).toEqual([])
    const log = await indexedDbStorage().open(name)
    expect(await log.outbox!.readPending()).toEqual([])
    log.close()

    // Memory, before reading whole logs into this page for the checks below.
    const data = { events: 0, bytes: 0 }
    for (let after = 0; ; ) {
      const page = await store.log({ after, limit: 5000 })
      if (page.length === 0) break
      data.events += page.length
      for (const event of page) data.bytes += JSON.stringify(event).length
      after = page.at(-1)!.seq
    }
    const growth = heap.at(-1)!.used - heap[0]!.used
    const serverRss = rss.map((r) => r.rss)
    console.info(
      `soak: ${total} commands in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s); ` +
        `page heap ${(heap[0]!.used / MB).toFixed(1)} → ${(heap.at(-1)!.used / MB).toFixed(1)} MB ` +
        `(samples ${heap.map((h) => (h.used / MB).toFixed(1)).join(', ')}); log ${data.events} events, ${(data.bytes / MB).toFixed(1)} MB as JSON; ` +
        `server RSS ${serverRss.map((r) => (r / MB).toFixed(0)).join(', ')} MB`,
    )
    expect(data.events).toBe(total)
    // The page holds the log in memory (undo, time travel) and the read model; nothing else may grow.
    expect(growth).toBeLessThan(4 * data.bytes + 16 * MB)
    // The server ran to the end within its capped heap (serverMemory rejects once it has died).
    expect(await node.serverMemory(url)).toBeGreaterThan(0)

    // The client's log is the server's, event for event, and its read model the fold of it.
    const truth = await serverLog(url)
    expect(new Set(truth.map((e) => e.meta.commandId)).size).toBe(total)
    const local = await store.log()
    expect(local.map((e) => e.id)).toEqual(truth.map((e) => e.id))
    expect(store.read(boardView)).toEqual(fold(truth))
    expect(store.read(boardView).count).toBe(total)
    // A guard against a hang, not a measure: 100,000 commands took 2.5 minutes here.
  }, Math.max(300_000, total * 30))
})
