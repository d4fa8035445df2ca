import type { Subscription } from 'rxjs'
import type { CommitTarget } from '../dispatcher'
import type { EventEnvelope } from '../event'
import { asChronicleError, type StoreKernel } from '../kernel'
import { logQueries, notCommitted } from '../localLog'
import type { TabsLink } from '../sharedLog'
import { createOutbox, type Outbox } from './outbox'
import { createOverlay } from './overlay'
import { provisional, type SyncConnection, type SyncConnector, type SyncOutbox } from './types'

/** What a store's sync works with besides the kernel. */
export interface SyncLinks {
  /** Runs work while no batch of the dispatcher is in flight (`Dispatcher.exclusive`). */
  exclusive<T>(work: () => Promise<T>): Promise<T>
  /** The tabs that share the log (they share the outbox too) and the leadership among them. */
  readonly tabs: TabsLink
  /** Confirmed events of this session's own commands (reactions run on them). */
  confirmedOwn(events: EventEnvelope[]): void
}

/** A store's sync while the store is open. */
export interface SyncSession {
  readonly outbox: Outbox
  /** The dispatcher commits here: commands go to the outbox, never straight to the log. */
  readonly target: CommitTarget
  /** The log is open: shows the commands an earlier session left in the outbox. */
  open(): Promise<void>
  /** The store is ready: runs the connection while this tab leads the tabs. */
  connect(): void
  close(): void
}

/** Starts the store's side of sync: the outbox, shared with the other tabs, and the connection in the leading tab. */
function startSync(connector: SyncConnector, kernel: StoreKernel, links: SyncLinks): SyncSession {
  const { tabs, leadership } = links.tabs
  const report = (error: unknown) => kernel.errors.emit(asChronicleError(error))
  // With sync on, the tabs share the outbox: a change in one tab makes the others rebase, and the
  // leading tab (which alone talks to the server) push.
  const channel = kernel.sharedLog && typeof BroadcastChannel === 'function' ? new BroadcastChannel(`chronicle:${kernel.name}:outbox`) : undefined
  const outbox = createOutbox(kernel, {
    exclusive: (work) => links.exclusive(work),
    confirmedOwn: (events) => links.confirmedOwn(events),
    notify: (what) => {
      channel?.postMessage(what)
      if (what === 'received') tabs?.announce(kernel.readModels.position)
    },
  })
  if (channel) channel.onmessage = () => void outbox.changedElsewhere().catch(report)
  // The write model folds a stream's provisional events on top of its confirmed ones.
  kernel.provisionalOf = (stream, afterVersion) => outbox.provisionalOf(stream, afterVersion)
  let connection: SyncConnection | undefined
  let leading: Subscription | undefined
  let closed = false

  return {
    outbox,
    // With sync on, commands go to the outbox; the log only takes what the server confirmed, and
    // the outbox channel tells the other tabs instead of the log's.
    // A batch shows while the outbox stores it (then as the outbox's), as without sync while the log does.
    target: {
      append: (batch, commands) => outbox.append(batch, commands),
      appending(events) {
        if (!kernel.ingesting) kernel.readModels.speculate(provisional(events, kernel.readModels.position + outbox.shown))
      },
      notCommitted: notCommitted(kernel),
      committed: () => undefined,
      ...logQueries(kernel),
    },
    async open() {
      // Commands from an earlier session still wait in the outbox: show them, then connect.
      await links.exclusive(() => outbox.rebase())
      outbox.state.update({ confirmedPosition: await outbox.host.position() })
    },
    connect() {
      // Only the leading tab talks to the server; the others see its results through the log.
      leading = leadership.isLeader$.subscribe((leads) => {
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
