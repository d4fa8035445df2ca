import { syncOutbox } from '@chronicle/core/sync'
import { type SyncConnector } from '@chronicle/core'
import type { RetryOptions } from './backoff'
import { createSyncClient } from './client'
import { startConnection } from './connection'
import type { LiveOptions, WebSocketConstructor } from './live'
import { protocolLimits } from './protocol'

/** Options of `createSync`. */
export interface SyncOptions {
  /** The sync server's base URL, e.g. `https://sync.example.com`. */
  readonly url: string
  /** The bearer token, or a function returning the current one (asked before every request, so it may refresh). */
  readonly auth: string | (() => string | Promise<string>)
  /** Names this device in the server's logs (default: the store's name and a random suffix). */
  readonly clientId?: string
  /** Commands per push at most (default 100; halved while the server says a push is too large). */
  readonly batchSize?: number
  /** Events per pull page at most (default 500; the server may cap it lower). */
  readonly pullLimit?: number
  /** Waits between failed attempts: exponential backoff with jitter, from `initialDelay` (1 s) to `maxDelay` (30 s). */
  readonly retry?: RetryOptions
  /** Timing of live updates (WebSocket, polling while it is down); `false` pulls only after pushes and on reconnect. */
  readonly live?: LiveOptions | false
  /** Milliseconds a push or pull may take before it counts as failed (default 30 000). */
  readonly timeout?: number
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch
  /** The WebSocket constructor (default: the global one; in Node before 22 pass `ws`'s). */
  readonly WebSocket?: WebSocketConstructor
}

/**
 * Connects a store to a Chronicle sync server. Pass the result to `createStore({ sync })`: the
 * store then keeps commands in its outbox, and this connection pushes them in order (retrying
 * with backoff until the server has answered each), pulls confirmed events after every push and
 * receives live ones, while `store.sync` reports status, rejections and confirmations.
 *
 * @example
 * const store = createStore({
 *   name: 'kanban',
 *   commands,
 *   projections,
 *   sync: createSync({ url: 'https://sync.example.com', auth: () => session.token() }),
 * })
 * store.sync?.status$.subscribe((s) => showBadge(s.online ? `${s.pending} to sync` : 'offline'))
 */
export function createSync(options: SyncOptions): SyncConnector {
  const batchSize = options.batchSize ?? 100
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > protocolLimits.commandsPerPush) {
    throw new TypeError(`createSync({ batchSize }) takes 1 to ${protocolLimits.commandsPerPush} commands, got ${String(batchSize)}`)
  }
  const pullLimit = options.pullLimit ?? 500
  if (!Number.isInteger(pullLimit) || pullLimit < 1) throw new TypeError(`createSync({ pullLimit }) takes a positive integer, got ${String(pullLimit)}`)
  return {
    // The store's side of sync (outbox, rebase) comes with the connector: a store without sync does not bundle it.
    outbox: syncOutbox,
    connect(host) {
      // Each connection has its own client, whose requests in flight its stop() aborts.
      const stopped = new AbortController()
      const client = createSyncClient({
        url: options.url,
        token: options.auth,
        signal: stopped.signal,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
        ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      })
      const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`
      const connection = startConnection(host, {
        client,
        clientId: options.clientId ?? `${host.storeName.slice(0, protocolLimits.idLength - suffix.length - 1)}-${suffix}`,
        batchSize,
        pullLimit,
        retry: options.retry ?? {},
        live: options.live ?? {},
      })
      return {
        status$: connection.status$,
        stop() {
          connection.stop()
          stopped.abort()
        },
      }
    },
  }
}
