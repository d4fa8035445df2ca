import type { Store } from './store'

const byStore = new WeakMap<Store, StoreReadiness>()

/**
 * Where a store's cold start stands, for code that renders: a promise that settles (never rejects)
 * when the cold start is over either way, the failure known synchronously once `store.ready`
 * rejected, and a subscription that hears of the end. One per store (`StoreReadiness.of`), so every
 * caller waits on the same promise: React resumes every component suspended on it together.
 *
 * @example
 * const readiness = StoreReadiness.of(store)
 * readiness.subscribe(() => render(readiness.getSnapshot() ? 'ready' : 'failed'))
 */
export class StoreReadiness {
  /** The store whose cold start this follows. */
  readonly store: Store
  /** Settles, never rejects, when the cold start is over (loaded or failed). */
  readonly settled: Promise<void>
  #failure: { readonly error: unknown } | undefined

  /** The one `StoreReadiness` of `store`. */
  static of(store: Store): StoreReadiness {
    let readiness = byStore.get(store)
    if (!readiness) {
      readiness = new StoreReadiness(store)
      byStore.set(store, readiness)
    }
    return readiness
  }

  private constructor(store: Store) {
    this.store = store
    this.settled = store.ready.then(
      () => undefined,
      (error: unknown) => {
        this.#failure = { error }
      },
    )
    this.subscribe = this.subscribe.bind(this)
    this.getSnapshot = this.getSnapshot.bind(this)
  }

  /** Set once `store.ready` rejected (the log could not be opened): the read models will never load. */
  get failure(): { readonly error: unknown } | undefined {
    return this.#failure
  }

  /** True once the store's read models are loaded. */
  get isReady(): boolean {
    return this.store.isReady
  }

  /** `isReady`, as `useSyncExternalStore` wants it (bound: pass it as it is). */
  getSnapshot(): boolean {
    return this.store.isReady
  }

  /**
   * Calls `listener` once when the cold start ends (not at all when it already has); returns the
   * unsubscribe function. Bound: pass it as it is.
   */
  subscribe(listener: () => void): () => void {
    if (this.store.isReady || this.#failure) return () => undefined
    let live = true
    void this.settled.then(() => live && listener())
    return () => {
      live = false
    }
  }
}
