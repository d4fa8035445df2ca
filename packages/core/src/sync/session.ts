import type { Observable, Subscription } from 'rxjs'
import { createOutbox, type Outbox, type OutboxDeps } from './outbox'
import { createOverlay } from './overlay'
import type { SyncConnection, SyncConnector, SyncOutbox } from './types'

/** What a store hands its sync: what the outbox works with, plus the tabs and the leadership. */
export interface SyncContext extends Omit<OutboxDeps, 'notify'> {
  /** Whether other tabs share the log (then they share the outbox too, over a BroadcastChannel). */
  readonly sharedLog: boolean
  /** Tells the other tabs that the log's head moved (confirmed events were stored). */
  announce(): void
  /** Whether this tab leads the tabs, now and whenever that changes. */
  leads(): Observable<boolean>
  /** Reports a failure no caller hears of (`store.errors$`). */
  report(error: unknown): void
}

/** A store's sync while the store is open. */
export interface SyncSession {
  readonly outbox: Outbox
  /** The log is open: shows the commands an earlier session left in the outbox. */
  open(): Promise<void>
  /** The store is ready: runs the connection while this tab leads the tabs. */
  connect(): void
  close(): void
}

/** Starts the store's side of sync: the outbox, shared with the other tabs, and the connection in the leading tab. */
function startSync(connector: SyncConnector, context: SyncContext): SyncSession {
  // With sync on, the tabs share the outbox: a change in one tab makes the others rebase, and the
  // leading tab (which alone talks to the server) push.
  const channel = context.sharedLog && typeof BroadcastChannel === 'function' ? new BroadcastChannel(`chronicle:${context.storeName}:outbox`) : undefined
  const outbox = createOutbox({
    ...context,
    notify: (what) => {
      channel?.postMessage(what)
      if (what === 'received') context.announce()
    },
  })
  if (channel) channel.onmessage = () => void outbox.changedElsewhere().catch(context.report)
  let connection: SyncConnection | undefined
  let leading: Subscription | undefined
  let closed = false

  return {
    outbox,
    async open() {
      // Commands from an earlier session still wait in the outbox: show them, then connect.
      await context.exclusive(() => outbox.rebase())
      outbox.state.update({ confirmedPosition: await outbox.host.position() })
    },
    connect() {
      // Only the leading tab talks to the server; the others see its results through the log.
      leading = context.leads().subscribe((leads) => {
        if (closed) return
        if (leads && !connection) {
          connection = connector.connect(outbox.host)
          connection.status$.subscribe((status) => outbox.state.update({ ...status, connected: connection !== undefined }))
        } else if (!leads && connection) {
          connection.stop()
          connection = undefined
          outbox.state.update({ connected: false, pushing: false, pulling: false })
        }
      })
    },
    close() {
      closed = true
      connection?.stop()
      connection = undefined
      channel?.close()
      leading?.unsubscribe()
      outbox.state.close()
    },
  }
}

/** What `syncOutbox` is behind its opaque type. */
export interface SyncImplementation {
  readonly start: typeof startSync
  readonly overlay: typeof createOverlay
}

/**
 * The store's side of sync: the outbox (commands wait there, with their provisional events, until
 * the server answers), read models that show confirmed plus provisional events, and the rebase
 * when the server's answer arrives. A `SyncConnector` carries it to `createStore({ sync })`, so
 * a store without sync does not bundle it. `createSync` from @chronicle/sync sets it; a connector
 * of your own sets `outbox: syncOutbox`.
 *
 * @example
 * const connector: SyncConnector = { outbox: syncOutbox, connect: (host) => myTransport(host) }
 */
export const syncOutbox: SyncOutbox = { start: startSync, overlay: createOverlay } satisfies SyncImplementation as unknown as SyncOutbox
