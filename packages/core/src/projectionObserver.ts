import type { AnyProjectionDefinition, ProjectionState } from './projection'
import type { Store } from './store'
import type { ViewOptions } from './storeOptions'
import { StoreReadiness } from './storeReadiness'

/** The last value `select` returned, and what it was computed from. */
interface Selection {
  readonly state: unknown
  readonly selector: unknown
  readonly value: unknown
}

/**
 * Observes one read model of a store for a view: subscribe to its changes, read its state (or a
 * slice, kept while unchanged) synchronously, and learn why it cannot show a true state (the read
 * model failed, or the store's cold start did) and when the cold start is over. This is everything
 * a UI binding needs; `useProjection` and `useQuery` are a few lines over it with
 * `useSyncExternalStore`. Creating one takes no resources: a subscription lives from `subscribe`
 * to the function it returns. `subscribe` and `getSnapshot` are bound, so they can be passed on.
 *
 * @example
 * const observer = new ProjectionObserver(store, boardView)
 * const stop = observer.subscribe(() => render(observer.select((s) => s.columns.todo ?? none)))
 */
export class ProjectionObserver<P extends AnyProjectionDefinition> {
  /** The store the read model belongs to. */
  readonly store: Store
  /** The read model observed. */
  readonly projection: P
  /** The store's cold start, shared with every other observer of the store. */
  readonly readiness: StoreReadiness
  /** How the read model is shown: `committed: true` leaves out provisional events. */
  readonly view: ViewOptions
  #failure: { readonly error: unknown } | undefined
  #probed = false
  #selection: Selection | undefined

  constructor(store: Store, projection: P, view: ViewOptions = {}) {
    this.store = store
    this.projection = projection
    this.view = view
    this.readiness = StoreReadiness.of(store)
    this.subscribe = this.subscribe.bind(this)
    this.getSnapshot = this.getSnapshot.bind(this)
  }

  /**
   * Calls `listener` whenever the read model's state changes, when it fails, and when the store's
   * cold start ends (a cold start that fails changes no read model); returns the unsubscribe
   * function. Like the store's observable, it calls `listener` once right away.
   */
  subscribe(listener: () => void): () => void {
    const subscription = this.store.query(this.projection, undefined, undefined, this.view).subscribe({
      next: () => listener(),
      error: (error: unknown) => {
        this.#failure = { error }
        this.#probed = true
        listener()
      },
    })
    const stopWaiting = this.readiness.subscribe(listener)
    return () => {
      stopWaiting()
      subscription.unsubscribe()
    }
  }

  /**
   * Why the read model cannot show a true state, or undefined when it can: its own failure (a
   * `ProjectionError` when a handler threw, including before this observer existed) or, while the
   * store is not ready, the cold start's failure (`store.ready` rejected).
   */
  get failure(): { readonly error: unknown } | undefined {
    if (!this.#probed) {
      // The store's observable emits the state, or its error, synchronously on subscribe: one look
      // tells whether the read model failed before anyone subscribed here.
      this.store
        .query(this.projection)
        .subscribe({ error: (error: unknown) => (this.#failure = { error }) })
        .unsubscribe()
      this.#probed = true
    }
    return this.#failure ?? (this.store.isReady ? undefined : this.readiness.failure)
  }

  /** True once the store's read models are loaded after its cold start. */
  get isReady(): boolean {
    return this.store.isReady
  }

  /**
   * While the store's cold start runs, the promise to wait on (it settles, never rejects, when the
   * cold start is over; the same promise for every observer of the store). Undefined once the store
   * is ready, or once its cold start failed: `getSnapshot` then throws that failure.
   */
  loading(): Promise<void> | undefined {
    return this.store.isReady || this.readiness.failure ? undefined : this.readiness.settled
  }

  /** The read model's current state; throws `failure.error` when there is a failure. */
  getSnapshot(): ProjectionState<P> {
    const failure = this.failure
    if (failure) throw failure.error
    return this.store.read(this.projection, this.view)
  }

  /** Whether the state shown holds events not in the log yet (never, for a committed-only view). */
  get provisional(): boolean {
    return !this.view.committed && this.store.provisional(this.projection)
  }

  /**
   * `selector` applied to the current state, computed again only when the state or the selector
   * changed, and the previous result returned while `equal` (default `Object.is`) says the new one
   * is the same: a caller can compare results by identity to know whether its slice changed.
   * Throws like `getSnapshot`. One observer remembers one selection: use one observer per view.
   * `state` selects from a state the caller holds instead (a UI binding's snapshot of a version).
   */
  select<R>(selector: (state: ProjectionState<P>) => R, equal: (a: R, b: R) => boolean = Object.is, state: ProjectionState<P> = this.getSnapshot()): R {
    const last = this.#selection
    if (last && last.state === state && last.selector === selector) return last.value as R
    const next = selector(state)
    const value = last && equal(last.value as R, next) ? (last.value as R) : next
    this.#selection = { state, selector, value }
    return value
  }
}
