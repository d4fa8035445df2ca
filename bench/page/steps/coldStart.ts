// Scenario 4: cold start over a long log, with and without a checkpoint.
import { openDB } from 'idb'
import type { EventEnvelope } from '@chronicle/core'
import type { StoredCheckpoint } from '@chronicle/core/storage'
import { cardIndex, cardsAfter, projections } from '../domain'
import { check, chronicleDbName, dispatchBursts, usingDb, usingStore } from '../store'
import type { WriteParams } from './dispatch'

/** Writes the workload's first `n` commands through a store in group-committed bursts; resolves with ms. */
export function fill({ db, n }: WriteParams): Promise<number> {
  return usingStore(db, async (store) => {
    await store.ready
    const started = performance.now()
    await dispatchBursts(store, 0, n)
    const elapsed = performance.now() - started
    check('log position after the fill', store.position, n)
    return elapsed
  })
}

/** The store's database, opened raw (at whatever version it has). */
export const openLog = (db: string) => openDB(chronicleDbName(db))

/** Deletes every saved checkpoint, so the next cold start replays the whole log. */
export function clearCheckpoints({ db }: { readonly db: string }): Promise<void> {
  return usingDb(openLog(db), (idb) => idb.clear('checkpoints'))
}

/**
 * Runs `work` while a MessageChannel pings itself from task to task; resolves with the longest
 * gap between two pings (ms): the longest task `work` kept the page's thread busy for, which is
 * how long an input arriving then would have waited.
 */
async function longestTask(work: () => Promise<void>): Promise<number> {
  const channel = new MessageChannel()
  let last = performance.now()
  let longest = 0
  let running = true
  channel.port1.onmessage = () => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
    if (running) channel.port2.postMessage(null)
  }
  channel.port2.postMessage(null)
  try {
    await work()
    return Math.max(longest, performance.now() - last)
  } finally {
    running = false
    channel.port1.close()
  }
}

/** Saves checkpoints at the log head (a store's `close` does too); resolves with the save's time and its longest task (ms). */
export function checkpointAtHead({ db, n }: WriteParams): Promise<{ save: number; longestTask: number }> {
  return usingStore(db, async (store) => {
    await store.ready
    check('log position', store.position, n)
    // Read every read model first, so the save measures saving, not folding what is pending.
    for (const projection of projections) store.read(projection)
    const started = performance.now()
    const longest = await longestTask(() => store.checkpoint())
    return { save: performance.now() - started, longestTask: longest }
  })
}

/**
 * Compacts the oldest `count` events right after a cold start (what the leading tab's automatic
 * compaction does once the log outgrows its policy); resolves with the time and the longest task (ms).
 */
export function compactOldest({ db, n, count }: WriteParams & { readonly count: number }): Promise<{ compact: number; longestTask: number }> {
  return usingStore(db, async (store) => {
    await store.ready
    check('log position', store.position, n)
    const started = performance.now()
    let result: { removed: number } | undefined
    const longest = await longestTask(async () => {
      result = await store.compact({ before: count + 1 })
    })
    check('events removed', result?.removed, count)
    return { compact: performance.now() - started, longestTask: longest }
  })
}

/** Scenario 4: ms from `createStore` until every read model is ready. */
export function chronicleColdStart({ db, n }: WriteParams): Promise<number> {
  const started = performance.now()
  return usingStore(db, async (store) => {
    await store.ready
    const elapsed = performance.now() - started
    check('card count', store.read(cardIndex).count, cardsAfter(n))
    check('log position', store.position, n)
    return elapsed
  })
}

/** Runs the projections' own handlers over events on plain objects: the fold without a library around it. */
export function plainFold(events: readonly EventEnvelope[]): unknown[] {
  const states = projections.map((p) => structuredClone(p.initial) as unknown)
  const handlers = projections.map((p) => p.on as Record<string, ((state: unknown, payload: unknown, event: EventEnvelope) => void) | undefined>)
  for (const event of events) {
    for (let p = 0; p < handlers.length; p++) handlers[p]![event.type]?.(states[p], event.payload, event)
  }
  return states
}

/** Baseline without a checkpoint: a raw `getAll` of the log, then a plain in-memory fold. */
export function rawReplay({ db, n }: WriteParams): Promise<{ read: number; fold: number }> {
  const started = performance.now()
  return usingDb(openLog(db), async (idb) => {
    const events = (await idb.getAll('events')) as EventEnvelope[]
    const read = performance.now() - started
    const [cards] = plainFold(events) as [{ count: number }]
    const fold = performance.now() - started - read
    check('raw card count', cards.count, cardsAfter(n))
    return { read, fold }
  })
}

/** Baseline with a checkpoint: a raw read of the stored checkpoints. */
export function rawReadCheckpoints({ db, n }: WriteParams): Promise<number> {
  const started = performance.now()
  return usingDb(openLog(db), async (idb) => {
    // Every record: the checkpoints, and the parts of those saved in parts.
    const records = (await idb.getAll('checkpoints')) as StoredCheckpoint[]
    const elapsed = performance.now() - started
    const checkpoints = records.filter((record) => !record.name.includes('\0'))
    check('checkpoints', checkpoints.length, projections.length)
    check('checkpoint position', checkpoints[0]?.position, n)
    return elapsed
  })
}
