import { useCallback, useSyncExternalStore } from 'react'

/** The part of an RxJS observable this hook uses. */
export interface Subscribable<T> {
  subscribe(next: (value: T) => void): { unsubscribe(): void }
}

/**
 * The current value of one of the store's observables (`store.travelling$`, `history.canUndo$`),
 * read synchronously through `current`, re-rendering when the observable emits.
 */
export function useObserved<T>(source: Subscribable<T>, current: () => T): T {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const subscription = source.subscribe(onChange)
      return () => subscription.unsubscribe()
    },
    [source],
  )
  return useSyncExternalStore(subscribe, current, current)
}
