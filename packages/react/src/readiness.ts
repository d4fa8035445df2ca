import type { Store } from '@chronicle/core'

/** Where a store's cold start stands, as the read hooks need it. */
export interface Readiness {
  /** Settles (never rejects) when the cold start is over, either way; the promise Suspense waits on. */
  readonly settled: Promise<void>
  /** Set once `store.ready` rejected: the read models will never load. */
  failure: { readonly error: unknown } | undefined
}

const cache = new WeakMap<Store, Readiness>()

/**
 * One `Readiness` per store, so every component suspends on the same promise (React re-renders
 * them all when it settles) and a failed cold start is known synchronously on the next render.
 */
export function readinessOf(store: Store): Readiness {
  let readiness = cache.get(store)
  if (!readiness) {
    const entry: Readiness = {
      settled: store.ready.then(
        () => undefined,
        (error: unknown) => {
          entry.failure = { error }
        },
      ),
      failure: undefined,
    }
    cache.set(store, entry)
    readiness = entry
  }
  return readiness
}
