import { useCallback, useRef, useSyncExternalStore } from 'react'
import type { AnyProjectionDefinition } from '@chronicle/core'
import { useChronicleContext } from './context'

/**
 * The heart of the read hooks: subscribes to a projection through the core's observable and
 * returns `select(state)`, keeping the previous result while `equal` says it is unchanged, so the
 * component re-renders only when its slice changes.
 */
export function useSelected<R>(
  hook: string,
  projection: AnyProjectionDefinition,
  select: (state: unknown) => R,
  equal: (a: R, b: R) => boolean = Object.is,
): R {
  const { store, suspense } = useChronicleContext(hook)
  if (suspense && !store.isReady) throw store.ready
  const memo = useRef<{ state: unknown; select: unknown; value: R } | null>(null)
  const failure = useRef<unknown>(undefined)

  const subscribe = useCallback(
    (onChange: () => void) => {
      const subscription = store.query(projection).subscribe({
        next: onChange,
        error: (error: unknown) => {
          failure.current = error
          onChange()
        },
      })
      return () => subscription.unsubscribe()
    },
    [store, projection],
  )

  const getSnapshot = (): R => {
    const state = store.read(projection)
    const last = memo.current
    if (last && last.state === state && last.select === select) return last.value
    const next = select(state)
    if (last && equal(last.value, next)) {
      memo.current = { state, select, value: last.value }
      return last.value
    }
    memo.current = { state, select, value: next }
    return next
  }

  const value = useSyncExternalStore(subscribe, getSnapshot, getSnapshot)
  if (failure.current !== undefined) throw failure.current
  return value
}
