// Scenario 3: from `dispatch` to a subscribed React component committing the new value.
import { useLayoutEffect, useSyncExternalStore, type ReactNode } from 'react'
import type { Store } from '@chronicle/core'
import { createRoot } from 'react-dom/client'
import { ChronicleProvider, useProjection } from '@chronicle/react'
import { addCard, boards, cardIndex } from '../domain'
import type { IDBPDatabase } from 'idb'
import { openRaw, rawEvents, type RawDb, type RawEvent } from '../raw'
import { check, usingDb, usingStore } from '../store'
import type { WriteParams } from './dispatch'

/** Commands sent before measuring, so neither side is timed while the JIT warms up. */
export const warmUp = 20

/** Latencies in ms, one per measured command. */
export type Latencies = number[]

/** Resolves when a component has committed `value`; the test harness's side of a layout effect. */
function createCommitProbe() {
  let waiting: { value: number; resolve: (at: number) => void } | undefined
  return {
    committed(value: number) {
      if (waiting && value >= waiting.value) {
        const { resolve } = waiting
        waiting = undefined
        resolve(performance.now())
      }
    },
    next(value: number) {
      return new Promise<number>((resolve) => {
        waiting = { value, resolve }
      })
    },
  }
}

export type Probe = ReturnType<typeof createCommitProbe>

export function Count({ value, probe }: { value: number; probe: Probe }) {
  useLayoutEffect(() => probe.committed(value), [value, probe])
  return <output>{value}</output>
}

function ChronicleCount({ probe }: { probe: Probe }) {
  const count = useProjection(cardIndex, (s) => s.count)
  return <Count value={count} probe={probe} />
}

const mount = () => {
  const element = document.createElement('div')
  document.body.append(element)
  const root = createRoot(element)
  return {
    root,
    unmount() {
      root.unmount()
      element.remove()
    },
  }
}

async function measure(n: number, probe: Probe, send: (i: number) => Promise<unknown>): Promise<Latencies> {
  const latencies: Latencies = []
  for (let i = 0; i < warmUp + n; i++) {
    const committed = probe.next(i + 1)
    const started = performance.now()
    const sent = send(i)
    const at = await committed
    await sent
    if (i >= warmUp) latencies.push(at - started)
  }
  return latencies
}

/**
 * The baselines' loop: each event in a raw transaction of its own, then a plain external store
 * tells a `useSyncExternalStore` component. Resolves with one latency per measured event.
 */
export async function rawLatencies(idb: IDBPDatabase<RawDb>, n: number, eventAt: (i: number) => RawEvent): Promise<Latencies> {
  let count = 0
  const listeners = new Set<() => void>()
  const subscribe = (listener: () => void) => {
    listeners.add(listener)
    return () => listeners.delete(listener)
  }
  function RawCount({ probe }: { probe: Probe }) {
    const value = useSyncExternalStore(subscribe, () => count)
    return <Count value={value} probe={probe} />
  }
  const probe = createCommitProbe()
  const view = mount()
  try {
    view.root.render(<RawCount probe={probe} />)
    return await measure(n, probe, async (i) => {
      const tx = idb.transaction('events', 'readwrite')
      void tx.store.add(eventAt(i))
      await tx.done
      count++
      for (const listener of listeners) listener()
    })
  } finally {
    view.unmount()
  }
}

/** Baseline: a raw transaction per event, then a plain external store tells a component. */
export function rawRender({ db, n }: WriteParams): Promise<Latencies> {
  return usingDb(openRaw(db), async (idb) => {
    const eventAt = rawEvents()
    const latencies = await rawLatencies(idb, n, (i) => eventAt(i * 5))
    check('raw event count', await idb.count('events'), n + warmUp)
    return latencies
  })
}

/**
 * Chronicle's loop: `store.dispatch` to the commit of `view`, a component under the store's
 * provider that shows a count the commands raise by one each. Resolves with one latency per
 * measured command.
 */
export async function chronicleLatencies(store: Store, n: number, View: (props: { probe: Probe }) => ReactNode, send: (i: number) => Promise<unknown>): Promise<Latencies> {
  const probe = createCommitProbe()
  const view = mount()
  try {
    view.root.render(
      <ChronicleProvider store={store}>
        <View probe={probe} />
      </ChronicleProvider>,
    )
    return await measure(n, probe, send)
  } finally {
    view.unmount()
  }
}

/** Scenario 3's parameters: `committed` measures a store that shows committed events only (`optimistic: false`). */
export interface RenderParams extends WriteParams {
  readonly committed?: boolean
}

/**
 * Scenario 3: `store.dispatch` to the commit of a component that `useProjection`s the count. With
 * optimistic read models (the default) the component shows the command before its transaction
 * commits; with `committed`, after.
 */
export function chronicleRender({ db, n, committed = false }: RenderParams): Promise<Latencies> {
  return usingStore(
    db,
    async (store) => {
      await store.ready
      const latencies = await chronicleLatencies(store, n, ChronicleCount, (i) => store.dispatch(addCard({ cardId: `c${i}`, board: `b${i % boards}`, title: `Card number ${i}` })))
      check('card count', store.read(cardIndex, { committed: true }).count, n + warmUp)
      return latencies
    },
    undefined,
    { optimistic: !committed },
  )
}
