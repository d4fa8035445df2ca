import { useEffect, useId, useRef } from 'react'
import type { SyncStatus as Status } from '@chronicle/core'
import { useIsReady, useStore, useSyncStatus } from '@chronicle/react'
import { useObserved } from '../history/useObserved'
import { useNotices } from '../notices'
import { usePopover } from '../usePopover'

type Tone = 'synced' | 'syncing' | 'offline' | 'elsewhere'

/**
 * The indicator's word for the status, and its colour. Only the tab that leads the tabs of this
 * browser runs the connection; the others show its results (`elsewhere`).
 */
function summary(status: Status, leads: boolean): { tone: Tone; label: string } {
  const pending = status.pending > 0 ? ` · ${status.pending} pending` : ''
  if (!status.connected) return leads ? { tone: 'syncing', label: `Connecting${pending}` } : { tone: 'elsewhere', label: `Synced by another tab${pending}` }
  if (!status.online) return { tone: 'offline', label: `Offline${pending}` }
  if (status.pending > 0 || status.pushing) return { tone: 'syncing', label: `Syncing${pending}` }
  return { tone: 'synced', label: 'Synced' }
}

/**
 * The header's sync indicator: online, offline or syncing, with the number of changes waiting for
 * the server; its popover says more (the last error, the server's position). Going offline and
 * coming back are announced to screen readers.
 */
export function SyncStatus() {
  const status = useSyncStatus()
  const store = useStore()
  // Until the store is open, leadership among tabs is not decided yet: say "Connecting" meanwhile.
  const isLeader = useObserved(store.isLeader$, () => store.isLeader)
  const ready = useIsReady()
  const leads = isLeader || !ready
  const notices = useNotices()
  const { open, toggle, container } = usePopover()
  const panelId = useId()
  const wasOnline = useRef<boolean | undefined>(undefined)

  useEffect(() => {
    if (!status?.connected) return
    if (wasOnline.current !== undefined && wasOnline.current !== status.online) {
      notices.announce(status.online ? 'Back online: syncing your changes.' : 'Offline: your changes are kept on this device and sent when the server is back.')
    }
    wasOnline.current = status.online
  }, [status?.online, status?.connected, notices])

  if (!status) return null
  const { tone, label } = summary(status, leads)
  return (
    <div ref={container} className="sync-status">
      <button type="button" className={`header-button sync-indicator sync-${tone}`} aria-expanded={open} aria-controls={panelId} onClick={toggle}>
        <span className="sync-dot" aria-hidden="true" />
        <span className="visually-hidden">Sync: </span>
        {label}
      </button>
      {open && (
        <section id={panelId} className="popover sync-panel" aria-label="Sync details">
          <h2 className="popover-title">Sync</h2>
          <dl className="sync-facts">
            <dt>Connection</dt>
            <dd>{!status.connected ? (leads ? 'Connecting' : 'Another tab of this browser talks to the server') : status.online ? 'Online' : 'Offline: trying again in a moment'}</dd>
            <dt>Waiting to sync</dt>
            <dd>{status.pending === 0 ? 'Nothing: every change is on the server' : `${status.pending} ${status.pending === 1 ? 'change' : 'changes'}, kept on this device`}</dd>
            <dt>Server position</dt>
            <dd>Event {status.confirmedPosition}</dd>
            {status.lastError && (
              <>
                <dt>Last problem</dt>
                <dd>{status.lastError}</dd>
              </>
            )}
          </dl>
          <p className="field-hint">
            Changes show at once and wait here until the server confirms them. If the server refuses one (someone else got there first), it is rolled back and a notice says why.
          </p>
        </section>
      )}
    </div>
  )
}
