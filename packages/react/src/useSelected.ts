import { useCallback, useRef, useSyncExternalStore } from 'react'
import type { AnyProjectionDefinition, Store } from '@chronicle/core'
import { useChronicleContext } from './context'
import { readinessOf } from './readiness'

/** The last value handed to React, and what it was computed from. */
interface Memo<R> {
  readonly state: unknown
  readonly select: unknown
  readonly value: R
}

/** What this component knows about one read model's health. */
interface Health {
  readonly store: Store
  readonly projection: AnyProjectionDefinition
  failure: { readonly error: unknown } | undefined
}

/**
 * The heart of the read hooks: subscribes to a projection through the core's observable and
 * returns `select(state)`, keeping the previous result while `equal` says it is unchanged, so the
 * component re-renders only when its slice changes. Throws (to the nearest error boundary) when
 * the read model failed or the store could not open; suspends until the store is ready when the
 * provider opted into Suspense.
 */
export function useSelected<R>(
  hook: string,
  projection: AnyProjectionDefinition,
  select: (state: unknown) => R,
  equal: (a: R, b: R) => boolean = Object.is,
): R {
  const { store, suspense } = useChronicleContext(hook)
  const memo = useRef<Memo<R> | null>(null)
  const health = useRef<Health | null>(null)

  const healthOf = (): Health => {
    const known = health.current
    if (known && known.store === store && known.projection === projection) return known
    const fresh: Health = { store, projection, failure: undefined }
    // The read model's observable emits its state, or its error, synchronously on subscribe: one
    // look tells whether it failed before this component subscribed.
    store
      .query(projection)
      .subscribe({ error: (error: unknown) => (fresh.failure = { error }) })
      .unsubscribe()
    health.current = fresh
    return fresh
  }

  const subscribe = useCallback(
    (onChange: () => void) => {
      const subscription = store.query(projection).subscribe({
        next: () => onChange(),
        error: (error: unknown) => {
          health.current = { store, projection, failure: { error } }
          onChange()
        },
      })
      // A cold start that fails changes no read model; hear of it anyway.
      let live = true
      if (!store.isReady) void readinessOf(store).settled.then(() => live && onChange())
      return () => {
        live = false
        subscription.unsubscribe()
      }
    },
    [store, projection],
  )

  const getSnapshot = (): R => {
    // Throwing here reaches the error boundary: React re-renders when a snapshot check throws.
    const failure = healthOf().failure ?? (store.isReady ? undefined : readinessOf(store).failure)
    if (failure) throw failure.error
    const state = store.read(projection)
    const last = memo.current
    if (last && last.state === state && last.select === select) return last.value
    const next = select(state)
    const value = last && equal(last.value, next) ? last.value : next
    memo.current = { state, select, value }
    return value
  }

  const value = useSyncExternalStore(subscribe, getSnapshot, getSnapshot)
  if (suspense && !store.isReady) {
    const readiness = readinessOf(store)
    if (readiness.failure) throw readiness.failure.error
    throw readiness.settled
  }
  return value
}
