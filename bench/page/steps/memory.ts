// Scenario 7: what a store holds in the JS heap, against the raw events themselves. The runner
// forces a garbage collection and reads the heap (over CDP) between these steps.
import type { Store } from '@chronicle/core'
import { cardIndex, cardsAfter } from '../domain'
import { check, dispatchBursts, openStore, usingDb } from '../store'
import { openLog } from './coldStart'
import type { WriteParams } from './dispatch'

let held: { store?: Store; events?: unknown[] } = {}

async function hold(store: Store, work: () => Promise<void>): Promise<void> {
  try {
    await work()
  } catch (error) {
    await store.close()
    throw error
  }
  held = { store }
}

/** Writes `n` commands through a new store and keeps the store (read models and write-side cache). */
export function holdWrittenStore({ db, n }: WriteParams): Promise<void> {
  const store = openStore(db)
  return hold(store, async () => {
    await store.ready
    await dispatchBursts(store, 0, n)
    await store.checkpoint()
    check('card count', store.read(cardIndex).count, cardsAfter(n))
  })
}

/** Opens a store over an existing log (cold start) and keeps it. */
export function holdColdStore({ db, n }: WriteParams): Promise<void> {
  const store = openStore(db)
  return hold(store, async () => {
    await store.ready
    check('card count', store.read(cardIndex).count, cardsAfter(n))
  })
}

/** Reads every event of the log with `getAll` and keeps the array: the raw events' size. */
export async function holdRawEvents({ db, n }: WriteParams): Promise<void> {
  const events = await usingDb(openLog(db), (idb) => idb.getAll('events'))
  check('raw event count', events.length, n)
  held = { events }
}

/** Lets go of whatever is held (closing a held store). */
export async function release(): Promise<void> {
  await held.store?.close()
  held = {}
}
