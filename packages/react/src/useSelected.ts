import { useMemo, useSyncExternalStore } from 'react'
import { ProjectionObserver, type AnyProjectionDefinition } from '@chronicle/core'
import { useChronicleContext } from './context'

/**
 * The heart of the read hooks, over the core's `ProjectionObserver`: `select(state)` of a read
 * model, re-rendering only when that slice changes (by `equal`). Throws (to the nearest error
 * boundary) when the read model failed or the store could not open; suspends until the store is
 * ready when the provider opted into Suspense.
 */
export function useSelected<R>(
  hook: string,
  projection: AnyProjectionDefinition,
  select: (state: unknown) => R,
  equal: (a: R, b: R) => boolean = Object.is,
): R {
  const { store, suspense } = useChronicleContext(hook)
  const observer = useMemo(() => new ProjectionObserver(store, projection), [store, projection])
  // Throwing here reaches the error boundary: React re-renders when a snapshot check throws.
  const getSnapshot = () => observer.select(select, equal)
  const value = useSyncExternalStore(observer.subscribe, getSnapshot, getSnapshot)
  const loading = suspense ? observer.loading() : undefined
  if (loading) throw loading
  return value
}
