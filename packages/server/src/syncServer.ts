import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createStore, type AnyCommandDefinition, type Principal, type Store } from '@chronicle/core'
import { protocolLimits, protocolPaths, protocolVersion, protocolVersions, type PushCommand } from '@chronicle/sync'
import { applyCors, originAllowed, RequestError, refuse, sendError, sendJson, type CorsOptions } from './http'
import { createLiveHub, type LiveHub } from './live'
import { handlePull, handlePush, type Routes } from './routes'
import { createRateLimiter, type RateLimitOptions } from './rateLimit'
import type { ServerEventLog, ServerStorageBackend } from './storage/serverStorage'
import { createTail, type Tail } from './tail'

/** Options of `createSyncServer`. */
export interface SyncServerOptions {
  /** The same command definitions the browser uses. */
  readonly domain: { readonly commands: readonly AnyCommandDefinition[] }
  /** Where the authoritative log lives: `sqliteStorage({ path })` or `postgresStorage({ connectionString })`. */
  readonly store: ServerStorageBackend
  /** The log's name inside the store (default `chronicle`). */
  readonly name?: string
  /** Turns a bearer token into the principal that commands run as; `null` or `undefined` refuses it. */
  readonly authenticate: (token: string) => Principal | null | undefined | Promise<Principal | null | undefined>
  /** A server-wide check before a command's own `authorize` (e.g. read-only roles). Default: allow. */
  readonly authorize?: (principal: Principal, command: PushCommand) => boolean | Promise<boolean>
  /** Whether the principal may read a stream: pulls, live updates and push answers carry only those events. */
  readonly canRead: (principal: Principal, stream: string) => boolean
  /** Browsers on other origins that may call the server (default: none). */
  readonly cors?: CorsOptions | false
  /** Largest request body in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number
  /** Most commands in one push (default 500, at most 1000). */
  readonly maxCommandsPerPush?: number
  /** Most events in one pull page (default 500, at most 1000). */
  readonly pullLimit?: number
  /** Pushed commands per principal (default 50 per second, bursts of 1000); `false` turns it off. */
  readonly rateLimit?: RateLimitOptions | false
  /** `meta.origin` of the server's events (default `server`). */
  readonly origin?: string
  /** Unexpected failures (default: console.error). */
  readonly onError?: (error: unknown) => void
  /** Milliseconds between live WebSocket pings (default 30 000). */
  readonly heartbeat?: number
  /** Recent events kept in memory for live updates (default 10 000). */
  readonly recentEvents?: number
  /** Attempts of a command whose stream keeps being written by another process first (default 20). */
  readonly maxAttempts?: number
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
 * Creates the Node sync server: `POST /v1/push`, `GET /v1/events`, the `/v1/live` WebSocket and
 * `GET /v1/health`. Every pushed command is executed again here, through a core store over the
 * server's event log, with the principal `authenticate` returned.
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
  const maxCommands = options.maxCommandsPerPush ?? 500
  if (maxCommands < 1 || maxCommands > protocolLimits.commandsPerPush) throw new TypeError(`maxCommandsPerPush must be 1..${protocolLimits.commandsPerPush}`)
  const rateLimit = options.rateLimit === undefined ? { commandsPerSecond: 50, burst: 1000 } : options.rateLimit
  if (rateLimit && rateLimit.burst < maxCommands) throw new TypeError(`rateLimit.burst (${rateLimit.burst}) must be at least maxCommandsPerPush (${maxCommands}), or the largest pushes could never run`)
  const limiter = rateLimit ? createRateLimiter(rateLimit) : undefined
  const report = options.onError ?? ((error: unknown) => console.error('[chronicle-server]', error))
  const canRead = (principal: Principal, stream: string) => {
    try {
      return options.canRead(principal, stream) === true
    } catch (error) {
      report(error)
      return false
    }
  }
  const authenticate = async (token: string): Promise<Principal | undefined> => (await options.authenticate(token)) ?? undefined

  let opened: { store: Store; log: ServerEventLog; tail: Tail; live: LiveHub } | undefined
  let url: string | undefined
  let closing: Promise<void> | undefined
  const inFlight = new Set<Promise<unknown>>()

  const httpServer = createServer((req, res) => {
    const handled = handle(req, res).catch((error: unknown) => {
      if (error instanceof RequestError) sendError(res, error)
      else {
        report(error)
        sendError(res, refuse('internal', 'The server failed unexpectedly; try again later.'))
      }
    })
    inFlight.add(handled)
    void handled.finally(() => inFlight.delete(handled))
  })

  httpServer.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const refuseUpgrade = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    if (!opened || closing) return refuseUpgrade(503, 'Service Unavailable')
    if (path !== protocolPaths.live) return refuseUpgrade(404, 'Not Found')
    if (options.cors && !originAllowed(options.cors, req.headers.origin)) return refuseUpgrade(403, 'Forbidden')
    opened.live.upgrade(req, socket, head)
  })

  const routes = (): Routes => {
    if (!opened) throw refuse('unavailable', 'The server is starting; try again in a moment.')
    return {
      store: opened.store,
      log: opened.log,
      authenticate,
      authorize: options.authorize,
      canRead,
      report,
      limiter,
      maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
      maxCommands,
      pullLimit: Math.min(options.pullLimit ?? 500, protocolLimits.eventsPerPage),
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (applyCors(options.cors, req, res)) return
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (closing) throw refuse('unavailable', 'The server is shutting down; try again in a moment.', {}, { connection: 'close' })
    const route = {
      [protocolPaths.push]: { method: 'POST', run: () => handlePush(routes(), req, res) },
      [protocolPaths.events]: { method: 'GET', run: () => handlePull(routes(), req, res) },
      [protocolPaths.health]: { method: 'GET', run: async () => sendJson(res, 200, { protocol: protocolVersion, protocols: protocolVersions, status: opened ? 'ok' : 'starting' }) },
      [protocolPaths.live]: { method: 'GET', run: async () => sendError(res, refuse('invalid-message', 'Connect to /v1/live with a WebSocket.')) },
    }[path]
    if (!route) throw refuse('not-found', `No such endpoint: ${path}. The protocol has ${Object.values(protocolPaths).join(', ')}.`)
    if (req.method !== route.method) throw refuse('method-not-allowed', `${path} takes ${route.method}.`, {}, { allow: route.method })
    await route.run()
  }

  return {
    async listen(port = 0, host = '127.0.0.1') {
      if (closing) throw new Error('This sync server is closed; create a new one.')
      if (!opened) {
        const log = await options.store.open(options.name ?? 'chronicle')
        try {
          // The store gets the same open log; the server keeps reading it for pulls and live updates.
          const store = createStore({
            name: options.name ?? 'chronicle',
            commands: options.domain.commands,
            storage: { kind: options.store.kind, open: async () => ({ ...log, close: () => undefined }) },
            origin: options.origin ?? 'server',
            persist: false,
            // Server processes sharing one database race for hot streams far more than tabs do.
            maxAttempts: options.maxAttempts ?? 20,
            // Clients pull the whole log from the server: it never compacts on its own.
            compaction: false,
          })
          await store.ready
          const tail = await createTail(log, { keep: options.recentEvents ?? 10_000, report })
          const live = createLiveHub({ tail, authenticate, canRead, helloTimeout: 10_000, heartbeat: options.heartbeat ?? 30_000, report })
          opened = { store, log, tail, live }
        } catch (error) {
          log.close()
          throw error
        }
      }
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
        await opened?.live.close()
        // Every request in flight runs to its answer; requests arriving meanwhile get `unavailable`.
        while (inFlight.size > 0) await Promise.allSettled([...inFlight])
        httpServer.closeAllConnections()
        await stopped
        if (opened) {
          await opened.store.close()
          opened.tail.close()
          opened.log.close()
        }
      })()
      return closing
    },
  }
}
