import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react'
import type { SyncRejection, SyncStatus } from '@chronicle/core'
import { useChronicleContext } from './context'

/**
 * The store's sync status (online, pushing, pulling, pending commands, last error, ...), now and
 * whenever it changes; `undefined` when the store was created without `sync`.
 *
 * @example
 * const sync = useSyncStatus()
 * {sync && <p role="status">{sync.online ? `${sync.pending} to sync` : 'Offline: changes are kept on this device'}</p>}
 */
export function useSyncStatus(): SyncStatus | undefined {
  const { store } = useChronicleContext('useSyncStatus')
  const sync = store.sync
  const subscribe = useCallback(
    (onChange: () => void) => {
      const subscription = sync?.status$.subscribe(onChange)
      return () => subscription?.unsubscribe()
    },
    [sync],
  )
  const snapshot = useCallback(() => sync?.status, [sync])
  return useSyncExternalStore(subscribe, snapshot, snapshot)
}

/**
 * Calls `onRejection` for every command the server refuses while the component is mounted (the
 * command is already rolled back then). The latest `onRejection` is called; it need not be
 * memoised. Does nothing when the store has no sync.
 *
 * @example
 * useSyncRejections((r) => toast(`${r.type} was undone by the server: ${r.error.reason.message}`))
 */
export function useSyncRejections(onRejection: (rejection: SyncRejection) => void): void {
  const { store } = useChronicleContext('useSyncRejections')
  const latest = useRef(onRejection)
  useEffect(() => {
    latest.current = onRejection
  })
  useEffect(() => {
    const subscription = store.sync?.rejections$.subscribe((rejection) => latest.current(rejection))
    return () => subscription?.unsubscribe()
  }, [store])
}
