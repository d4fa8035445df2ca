import * as React from 'react'
import { startTransition } from 'react'
import type { AnyProjectionDefinition, Store } from '@chronicle/core'

/** React's internals that say whether code runs inside `startTransition` (19: `T`; 18: `ReactCurrentBatchConfig.transition`). */
interface ReactInternals {
  readonly T?: unknown
  readonly ReactCurrentBatchConfig?: { readonly transition: unknown }
}

const react = React as unknown as Record<string, ReactInternals | undefined>
const internals = react.__CLIENT_INTERNALS_DO_NOT_USE_OR_WARN_USERS_THEY_CANNOT_UPGRADE ?? react.__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED

/**
 * Whether the caller runs inside `startTransition` (React's or `useTransition`'s). React has no
 * public API for it; this reads the field React sets for the scope of a transition, in React 19
 * and 18. Unknown internals (a later major) read as false: dispatches then render as today.
 */
export function inTransition(): boolean {
  if (!internals) return false
  if ('T' in internals) return internals.T !== null && internals.T !== undefined
  const transition = internals.ReactCurrentBatchConfig?.transition
  return transition !== null && transition !== undefined
}

/** A read model as one hook shows it: its projection, and whether provisional events are left out. */
export interface ViewKey {
  readonly projection: AnyProjectionDefinition
  readonly committed: boolean
  /** Names the view among a store's (`viewKey`). */
  readonly key: string
}

/** The view of `projection` a hook shows, with its key. */
export const viewKey = (projection: AnyProjectionDefinition, committed: boolean): ViewKey => ({ projection, committed, key: `${committed ? 'committed' : 'shown'}:${projection.name}` })
const byStore = new WeakMap<Store, TransitionGate>()

/**
 * How a store's changes reach React as transitions (see docs/react.md, "Transitions").
 *
 * `useSyncExternalStore` renders every store change synchronously: its updates cannot be
 * transitions. So the hooks read a read model in two ways. Urgent renders read it through
 * `useSyncExternalStore`, from `urgent(view)`: the live state, except while a transition is pending,
 * when it stays the state from before the transition. A change caused by a dispatch made inside
 * `startTransition` (the gate hears every dispatch through `store.onDispatch` and looks whether it
 * runs in a transition) is instead recorded as a new version: a snapshot of every watched read
 * model's state (immutable states: references only), handed to React as a transition update of
 * the provider's version state. Hooks rendering with that version (React passes it by context, so
 * each render reads the version of its own branch: urgent renders the old one, the transition the
 * new one, a component that mounts in either the one of its branch) read the snapshot. Once React
 * commits the version, it becomes the urgent state; `useSyncExternalStore` then sees the same
 * value. A change not caused by a transition ends every pending version: urgent renders show the
 * live state at once, as today.
 */
export class TransitionGate {
  readonly store: Store
  /** The live states of the watched read models, by view. */
  readonly #live = new Map<string, unknown>()
  /** While a transition is pending: the states urgent renders show. */
  #urgent: Map<string, unknown> | undefined
  /** Versions handed to React and not yet committed: their snapshots. */
  readonly #versions = new Map<number, ReadonlyMap<string, unknown>>()
  #version = 0
  /** Dispatches made inside a transition and not settled: the changes meanwhile are theirs. */
  #inTransition = 0
  #flushing = false
  readonly #watched = new Map<string, { count: number; stop: () => void }>()
  readonly #listeners = new Set<(version: number) => void>()

  /** The gate of `store`, one per store. */
  static of(store: Store): TransitionGate {
    let gate = byStore.get(store)
    if (!gate) byStore.set(store, (gate = new TransitionGate(store)))
    return gate
  }

  private constructor(store: Store) {
    this.store = store
    store.onDispatch((settled) => {
      if (!inTransition()) return
      this.#inTransition++
      void settled.finally(() => this.#inTransition--)
    })
  }

  /** The newest version (the provider's state starts there). */
  get version(): number {
    return this.#version
  }

  /** Calls `listener` with each new transition version; the provider sets its state in a transition. */
  listen(listener: (version: number) => void): () => void {
    this.#listeners.add(listener)
    return () => void this.#listeners.delete(listener)
  }

  /** Follows a read model for as long as a hook shows it; returns the function that stops. */
  watch(view: ViewKey): () => void {
    const { key } = view
    const watched = this.#watched.get(key)
    if (watched) watched.count++
    else {
      const subscription = this.store.query(view.projection, undefined, undefined, { committed: view.committed }).subscribe({
        next: (state) => this.#changed(key, state),
        error: () => undefined,
      })
      this.#watched.set(key, { count: 1, stop: () => subscription.unsubscribe() })
    }
    return () => {
      const entry = this.#watched.get(key)
      if (!entry || --entry.count > 0) return
      entry.stop()
      this.#watched.delete(key)
      this.#live.delete(key)
      this.#urgent?.delete(key)
    }
  }

  #changed(key: string, state: unknown): void {
    const known = this.#live.has(key)
    if (known && this.#inTransition > 0 && !this.#urgent) this.#urgent = new Map(this.#live)
    this.#live.set(key, state)
    if (!known) return
    if (this.#inTransition === 0) {
      // Not a transition's: urgent renders show it now, and pending versions are over.
      this.#urgent = undefined
      this.#versions.clear()
      return
    }
    // Every read model of one change moves before React hears: one version per change.
    if (this.#flushing) return
    this.#flushing = true
    queueMicrotask(() => {
      this.#flushing = false
      if (!this.#urgent) return
      const version = ++this.#version
      this.#versions.set(version, new Map(this.#live))
      startTransition(() => {
        for (const listener of this.#listeners) listener(version)
      })
    })
  }

  /**
   * What a render with `version` shows of `view`: `{ state }` from that version's snapshot, or
   * undefined when the version is not pending (then the urgent state is what it shows).
   */
  at(version: number, view: ViewKey): { readonly state: unknown } | undefined {
    if (this.#versions.size === 0) return undefined
    const snapshot = this.#versions.get(version)
    if (!snapshot) return undefined
    return { state: snapshot.has(view.key) ? snapshot.get(view.key) : this.store.read(view.projection, { committed: view.committed }) }
  }

  /** The state urgent renders show: the one from before a pending transition, or undefined for the live one. */
  urgent(view: ViewKey): { readonly state: unknown } | undefined {
    const urgent = this.#urgent
    return urgent?.has(view.key) ? { state: urgent.get(view.key) } : undefined
  }

  /** React committed `version`: urgent renders show it from now on, and older versions are over. */
  committed(version: number): void {
    const snapshot = this.#versions.get(version)
    if (!snapshot) return
    for (const older of this.#versions.keys()) if (older <= version) this.#versions.delete(older)
    this.#urgent = this.#versions.size > 0 ? new Map(snapshot) : undefined
  }
}
