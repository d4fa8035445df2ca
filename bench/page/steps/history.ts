// Scenarios 5 and 6: time travel and undo over a long log. The store's history API is probed at
// run time; until it exists these steps answer `{ unavailable }` and the report says so.
import { createStore, memoryStorage, type EventEnvelope, type Store } from '@chronicle/core'
import { addCard, cardIndex, cardsAfter, commands, recordCardIndex, projections } from '../domain'
import { openRaw, rawEvents } from '../raw'
import { check, usingDb, usingStore } from '../store'
import { openLog, plainFold } from './coldStart'
import type { WriteParams } from './dispatch'

/** What a history step answers: its latencies in ms (and how long preparing took), or why it could not run. */
export type HistoryResult = { readonly latencies: number[]; readonly prepared?: number } | { readonly unavailable: string }

/** The time-travel API as the design brief describes it; `prepareTravel` builds the snapshot index ahead. */
interface Travelling {
  travel(position: number | null): unknown
  prepareTravel?(): Promise<void>
}
/** The undo API as the lead described it. */
interface Undoing {
  readonly history: { undo(): unknown }
}

const travelling = (store: Store): (Store & Travelling) | undefined =>
  typeof (store as Partial<Travelling>).travel === 'function' ? (store as Store & Travelling) : undefined
const undoing = (store: Store): (Store & Undoing) | undefined =>
  typeof (store as Partial<Undoing>).history?.undo === 'function' ? (store as Store & Undoing) : undefined

/** Which history APIs the store has: for each, `null` when it exists, or why it cannot be measured yet. */
export async function historySupport(): Promise<{ travel: string | null; undo: string | null }> {
  const store = createStore({ name: 'probe', commands, projections, storage: memoryStorage() })
  await store.ready
  const support = {
    travel: travelling(store) ? null : 'store.travel(position) does not exist yet',
    undo: undoing(store) ? null : 'store.history.undo() does not exist yet',
  }
  await store.close()
  return support
}

/**
 * Scenario 5: jumps to the given positions and back to live; latency of each jump, up to reading
 * the card count there. A store that can build its snapshot index ahead (`prepareTravel`, what a
 * history view does when it opens) does so first, and that time is reported on its own: the jumps
 * measure travel, not the one-time build. With `flat`, the store's only read model is
 * `recordCardIndex` (every card in a plain record, not a Map) instead of the workload's read models.
 */
export function chronicleTravel({ db, n, to, flat = false }: WriteParams & { readonly to: readonly number[]; readonly flat?: boolean }): Promise<HistoryResult> {
  const index = flat ? recordCardIndex : cardIndex
  return usingStore(
    db,
    async (plain) => {
      await plain.ready
      const store = travelling(plain)
      if (!store) return { unavailable: 'store.travel(position) does not exist yet' }
      check('log position', store.position, n)
      const preparing = performance.now()
      await store.prepareTravel?.()
      const prepared = performance.now() - preparing
      const latencies: number[] = []
      for (const position of to) {
        const started = performance.now()
        await store.travel(position)
        const count = store.read(index).count
        latencies.push(performance.now() - started)
        check(`card count as of ${position}`, count, cardsAfter(position))
      }
      await store.travel(null)
      check('card count back live', store.read(index).count, cardsAfter(n))
      return { latencies, prepared }
    },
    flat ? [recordCardIndex] : projections,
  )
}

/** Baseline of scenario 5: what a jump costs without snapshots, a raw read of the log up to the position and a plain fold. */
export function rawTravel({ db, to }: { readonly db: string; readonly to: readonly number[] }): Promise<HistoryResult> {
  return usingDb(openLog(db), async (idb) => {
    const latencies: number[] = []
    for (const position of to) {
      const started = performance.now()
      const [cards] = plainFold((await idb.getAll('events', IDBKeyRange.upperBound(position))) as EventEnvelope[]) as [{ count: number }]
      latencies.push(performance.now() - started)
      check(`raw card count as of ${position}`, cards.count, cardsAfter(position))
    }
    return { latencies }
  })
}

/** Scenario 6: `samples` times, dispatch one command and time its undo. */
export function chronicleUndo({ db, n, samples }: WriteParams & { readonly samples: number }): Promise<HistoryResult> {
  return usingStore(db, async (plain) => {
    await plain.ready
    const store = undoing(plain)
    if (!store) return { unavailable: 'store.history.undo() does not exist yet' }
    const before = store.read(cardIndex).count
    check('cards in the log', before, cardsAfter(n))
    const latencies: number[] = []
    for (let i = 0; i < samples; i++) {
      await store.dispatch(addCard({ cardId: `undo-${i}`, board: 'b0', title: 'to be undone' }))
      const started = performance.now()
      await store.history.undo()
      latencies.push(performance.now() - started)
      check('card count after undo', store.read(cardIndex).count, before)
    }
    return { latencies }
  })
}

/** Baseline of scenario 6: the least an undo must do, one raw transaction appending one event. */
export function rawUndo({ db, samples }: { readonly db: string; readonly samples: number }): Promise<HistoryResult> {
  return usingDb(openRaw(db), async (idb) => {
    const eventAt = rawEvents()
    const latencies: number[] = []
    for (let i = 0; i < samples; i++) {
      const started = performance.now()
      const tx = idb.transaction('events', 'readwrite')
      void tx.store.add(eventAt(i))
      await tx.done
      latencies.push(performance.now() - started)
    }
    return { latencies }
  })
}
