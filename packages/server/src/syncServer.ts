import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { capConnectionsPerClient, connectionLimits, httpServerOptions, type ConnectionLimits } from './connections'
import { createSyncHandler, type SyncHandlerOptions } from './handler'

/** Options of `createSyncServer`: the handler's, plus the limits of its own HTTP server. */
export interface SyncServerOptions extends SyncHandlerOptions {
  /** Timeouts and the per-client connection cap (defaults shed slow clients within seconds). */
  readonly connections?: ConnectionLimits
}

/** A sync server; `listen` opens the store and starts serving. */
export interface SyncServer {
  /** Opens the store and listens; resolves with the base URL (`port` 0 picks a free one). */
  listen(port?: number, host?: string): Promise<string>
  /** The base URL once listening. */
  readonly url: string | undefined
  /**
   * Graceful shutdown: stops accepting connections, answers new requests on open ones with
   * `unavailable`, closes live sockets, finishes every request in flight (pushes run to their
   * answer), then closes the store.
   */
  close(): Promise<void>
}

/**
 * Creates the Node sync server: `createSyncHandler`'s endpoints on an HTTP server of their own,
 * with header, request and idle timeouts and a per-client connection cap (`connections`).
 *
 * @example
 * const server = createSyncServer({
 *   domain: { commands: [addCard, moveCard] },
 *   store: sqliteStorage({ path: './data.sqlite' }),
 *   authenticate: (token) => sessions.get(token) ?? null,
 *   canRead: (principal, stream) => stream.startsWith(`board-${principal.teamId}-`),
 * })
 * console.log(await server.listen(8080))
 */
export function createSyncServer(options: SyncServerOptions): SyncServer {
  const limits = connectionLimits(options.connections)
  const handler = createSyncHandler(options)
  const httpServer = createServer(httpServerOptions(limits), (req, res) => handler(req, res))
  if (limits.maxConnectionsPerClient > 0) capConnectionsPerClient(httpServer, limits.maxConnectionsPerClient)
  handler.attach(httpServer)

  let url: string | undefined
  let closing: Promise<void> | undefined
  return {
    async listen(port = 0, host = '127.0.0.1') {
      if (closing) throw new Error('This sync server is closed; create a new one.')
      await handler.open()
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject)
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject)
          resolve()
        })
      })
      const address = httpServer.address() as AddressInfo
      url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
      return url
    },

    get url() {
      return url
    },

    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()))
        httpServer.closeIdleConnections()
        await handler.close()
        httpServer.closeAllConnections()
        await stopped
      })()
      return closing
    },
  }
}
