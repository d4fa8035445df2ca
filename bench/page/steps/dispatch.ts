// Scenarios 1 and 2: durable dispatch, one command at a time and in a burst.
import type { Store } from '@chronicle/core'
import { cardIndex, cardsAfter, commandAt, projections } from '../domain'
import type { IDBPDatabase } from 'idb'
import { openRaw, rawEvents, type RawDb, type RawEvent } from '../raw'
import { check, usingDb, usingStore } from '../store'

/** Parameters of a write scenario: a fresh database name and how many commands. */
export interface WriteParams {
  readonly db: string
  readonly n: number
}

/**
 * Reads every read model, inside the timed window: a read model that nobody watches folds its
 * events when it is read, and that work belongs to the commands measured. Resolves the card count.
 */
function readEveryModel(store: Store): number {
  for (const projection of projections) store.read(projection)
  return store.read(cardIndex).count
}

/** Baseline of scenario 1: one readwrite transaction per event, each awaited. Resolves with ms. */
export function rawOneByOne({ db, n }: WriteParams): Promise<number> {
  return rawBatched({ db, n, batch: 1 })
}

/** Scenario 1: each command dispatched and awaited (durable and applied) before the next. */
export function chronicleOneByOne({ db, n }: WriteParams): Promise<number> {
  return usingStore(db, async (store) => {
    await store.ready
    const started = performance.now()
    for (let i = 0; i < n; i++) await store.dispatch(commandAt(i))
    const cards = readEveryModel(store)
    const elapsed = performance.now() - started
    check('card count', cards, cardsAfter(n))
    check('log position', store.position, n)
    return elapsed
  })
}

/** Baseline of scenario 2: the events appended in transactions of `batch` events, each awaited. */
export function rawBatched({ db, n, batch }: WriteParams & { readonly batch: number }): Promise<number> {
  return usingDb(openRaw(db), async (idb) => {
    const elapsed = await appendTimed(idb, n, batch, rawEvents())
    check('raw event count', await idb.count('events'), n)
    return elapsed
  })
}

/** Appends `eventAt(0..n-1)` in awaited transactions of `batch` events; resolves with the ms it took. */
export async function appendTimed(idb: IDBPDatabase<RawDb>, n: number, batch: number, eventAt: (i: number) => RawEvent): Promise<number> {
  const started = performance.now()
  for (let start = 0; start < n; start += batch) {
    const tx = idb.transaction('events', 'readwrite')
    for (let i = start; i < Math.min(n, start + batch); i++) void tx.store.add(eventAt(i))
    await tx.done
  }
  return performance.now() - started
}

/** Scenario 2: every command dispatched at once, then all receipts awaited. */
export function chronicleBurst({ db, n }: WriteParams): Promise<number> {
  return usingStore(db, async (store) => {
    await store.ready
    const started = performance.now()
    const receipts = []
    for (let i = 0; i < n; i++) receipts.push(store.dispatch(commandAt(i)))
    await Promise.all(receipts)
    const cards = readEveryModel(store)
    const elapsed = performance.now() - started
    check('card count', cards, cardsAfter(n))
    check('log position', store.position, n)
    return elapsed
  })
}
