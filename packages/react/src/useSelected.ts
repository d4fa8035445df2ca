import { useCallback, useMemo, useSyncExternalStore } from 'react'
import { ProjectionObserver, type AnyProjectionDefinition } from '@chronicle/core'
import { useChronicleContext, useShownVersion } from './context'
import { viewKey } from './transitions'

/**
 * The heart of the read hooks, over the core's `ProjectionObserver`: `select(state)` of a read
 * model, re-rendering only when that slice changes (by `equal`). Throws (to the nearest error
 * boundary) when the read model failed or the store could not open; suspends until the store is
 * ready when the provider opted into Suspense. Urgent renders read through `useSyncExternalStore`;
 * a render of a transition caused by a dispatch reads that transition's snapshot (`TransitionGate`).
 */
export function useSelected<R>(
  hook: string,
  projection: AnyProjectionDefinition,
  select: (state: unknown) => R,
  equal: (a: R, b: R) => boolean = Object.is,
  committed = false,
): R {
  const { store, suspense, gate } = useChronicleContext(hook)
  const version = useShownVersion()
  const view = useMemo(() => viewKey(projection, committed), [projection, committed])
  // Two selections: the urgent one must stay stable for useSyncExternalStore while a transition renders.
  const observer = useMemo(() => new ProjectionObserver(store, projection, { committed }), [store, projection, committed])
  const transitional = useMemo(() => new ProjectionObserver(store, projection, { committed }), [store, projection, committed])
  // The gate hears a change before the hook's listener asks for the snapshot: it subscribes first.
  const subscribe = useCallback(
    (listener: () => void) => {
      const stopWatching = gate.watch(view)
      const stop = observer.subscribe(listener)
      return () => {
        stop()
        stopWatching()
      }
    },
    [gate, view, observer],
  )
  // Throwing here reaches the error boundary: React re-renders when a snapshot check throws.
  const getSnapshot = () => {
    const urgent = gate.urgent(view)
    if (!urgent) return observer.select(select, equal)
    if (observer.failure) throw observer.failure.error
    return observer.select(select, equal, urgent.state)
  }
  const value = useSyncExternalStore(subscribe, getSnapshot, getSnapshot)
  const loading = suspense ? observer.loading() : undefined
  if (loading) throw loading
  const shown = gate.at(version, view)
  return shown ? transitional.select(select, equal, shown.state) : value
}
