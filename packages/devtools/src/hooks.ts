import { useCallback, useState, useSyncExternalStore } from 'react'
import type { Store } from '@chronicle/core'
import { createEnvelopeCache, type EnvelopeCache } from './envelopeCache'
import { createLogIndex, type LogIndex } from './logIndex'

/** The part of an RxJS Observable the panel needs (so it depends on no rxjs of its own). */
export interface Subscribable<T> {
  subscribe(next: (value: T) => void): { unsubscribe(): void }
}

/**
 * A store value that has a synchronous getter and an observable of its changes
 * (`store.position` / `store.position$`, `store.travelling` / `store.travelling$`, ...).
 */
export function useStoreValue<T>(changes: Subscribable<unknown>, read: () => T): T {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const subscription = changes.subscribe(() => onChange())
      return () => subscription.unsubscribe()
    },
    [changes],
  )
  return useSyncExternalStore(subscribe, read, read)
}

/** Something with a version number that tells listeners when it grows. */
interface Versioned {
  readonly version: number
  subscribe(listener: () => void): () => void
}

/** Re-renders when `source` announces a new version; returns that version. */
export function useVersion(source: Versioned): number {
  const subscribe = useCallback((onChange: () => void) => source.subscribe(onChange), [source])
  const read = () => source.version
  return useSyncExternalStore(subscribe, read, read)
}

/** A log index for the store; it indexes while the component is mounted. Key the component by store. */
export function useLogIndex(store: Store): LogIndex {
  const [index] = useState(() => createLogIndex(store))
  useVersion(index)
  return index
}

/** An envelope cache for the store (components that show envelopes call `useVersion(cache)`). Key the component by store. */
export function useEnvelopeCache(store: Store): EnvelopeCache {
  const [cache] = useState(() => createEnvelopeCache(store))
  return cache
}
