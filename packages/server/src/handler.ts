import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { createStore, type AnyCommandDefinition, type Principal, type Store } from '@chronicle/core'
import { protocolLimits, protocolPaths, protocolVersion, protocolVersions, type PushCommand } from '@chronicle/sync'
import { fromFetch, toFetch } from './fetch'
import { corsFor, errorResponse, json, originAllowed, refuse, RequestError, type CorsOptions, type SyncRequest, type SyncResponse } from './http'
import { rememberCommits, type CommitLog } from './commits'
import { createLiveHub, type LiveHub } from './live'
import { fromNode, writeNode } from './node'
import { createRateLimiter, type RateLimiter, type RateLimitOptions } from './rateLimit'
import { handlePull, handlePush, type Routes } from './routes'
import type { ServerEventLog, ServerStorageBackend } from './storage/serverStorage'
import { readableScopes, type ScopeOptions } from './scopes'
import { createTail, type Tail } from './tail'

/** Options of `createSyncHandler` (and `createSyncServer`). */
export interface SyncHandlerOptions {
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
  /**
   * Tenant filtering by the database: each event's scope (its stream's tenant) is stored in an
   * indexed column, and pulls and live updates read only the scopes a principal may see; `canRead`
   * still decides on each event read. Without it every read goes through `canRead` alone.
   */
  readonly scopes?: ScopeOptions
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
  /** Milliseconds a new live WebSocket may take to send its hello (default 5 000). */
  readonly helloTimeout?: number
  /** Recent events kept in memory for live updates (default 10 000). */
  readonly recentEvents?: number
  /** Attempts of a command whose stream keeps being written by another process first (default 20). */
  readonly maxAttempts?: number
}

/**
 * The sync endpoints as a handler to mount in a server of your own. Call it as a Node `http`
 * request listener (or Express/Connect middleware: paths outside the protocol go to `next`), or
 * use `fetch` where requests are fetch-style `Request`s; live updates need `upgrade` (or
 * `attach`) on the Node server.
 */
export interface SyncHandler {
  /** Node `http` request listener and Express/Connect middleware. */
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void
  /** The same endpoints for a fetch-style `Request` (Hono, itty-router, service-worker style servers). */
  fetch(request: Request): Promise<Response>
  /**
   * A Node server's `upgrade` event: takes WebSockets to the live path (returns true) and leaves
   * every other path alone (returns false) for other listeners.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean
  /** Listens for `upgrade` on `server` (see `upgrade`); returns the function that stops it. */
  attach(server: Server): () => void
  /** Opens the store; requests open it on first use too. Rejects when the store cannot be opened. */
  open(): Promise<void>
  /**
   * Graceful shutdown: new requests get `unavailable`, live sockets close, every request in flight
   * runs to its answer (pushes finish), then the store closes.
   */
  close(): Promise<void>
}

/** What an open handler works with. */
interface Opened {
  readonly store: Store
  readonly log: ServerEventLog
  readonly commits: CommitLog
  readonly limiter: RateLimiter | undefined
  readonly tail: Tail
  readonly live: LiveHub
}

/** The state behind a SyncHandler: the open store, requests in flight, and shutdown. */
class SyncService {
  readonly report: (error: unknown) => void
  private readonly maxCommands: number
  private readonly rateLimit: RateLimitOptions | false
  private opened: Opened | undefined
  private opening: Promise<Opened> | undefined
  private closing: Promise<void> | undefined
  private readonly inFlight = new Set<Promise<unknown>>()

  constructor(private readonly options: SyncHandlerOptions) {
    this.maxCommands = options.maxCommandsPerPush ?? 500
    if (this.maxCommands < 1 || this.maxCommands > protocolLimits.commandsPerPush) throw new TypeError(`maxCommandsPerPush must be 1..${protocolLimits.commandsPerPush}`)
    const rateLimit = options.rateLimit === undefined ? { commandsPerSecond: 50, burst: 1000 } : options.rateLimit
    if (rateLimit && rateLimit.burst < this.maxCommands) {
      throw new TypeError(`rateLimit.burst (${rateLimit.burst}) must be at least maxCommandsPerPush (${this.maxCommands}), or the largest pushes could never run`)
    }
    this.rateLimit = rateLimit
    this.report = options.onError ?? ((error: unknown) => console.error('[chronicle-server]', error))
  }

  /** A canRead that never throws (a throwing hook reads as "no" and is reported). */
  private readonly canRead = (principal: Principal, stream: string) => {
    try {
      return this.options.canRead(principal, stream) === true
    } catch (error) {
      this.report(error)
      return false
    }
  }

  private readonly scopes = (principal: Principal) => readableScopes(this.options.scopes, principal, this.report)

  private readonly authenticate = async (token: string): Promise<Principal | undefined> => (await this.options.authenticate(token)) ?? undefined

  open(): Promise<Opened> {
    if (this.closing) return Promise.reject(new Error('This sync handler is closed; create a new one.'))
    if (this.opened) return Promise.resolve(this.opened)
    this.opening ??= this.openStore().then(
      (opened) => (this.opened = opened),
      (error: unknown) => {
        // The next request tries again (the database may be back by then).
        this.opening = undefined
        throw error
      },
    )
    return this.opening
  }

  private async openStore(): Promise<Opened> {
    const name = this.options.name ?? 'chronicle'
    const { scopes } = this.options
    const log = await this.options.store.open(name, scopes ? { scopeOf: scopes.ofStream } : {})
    // The live tail is made once the store is ready; until then there is nobody to offer commits to.
    let tail: Tail | undefined
    const commits = rememberCommits(log, (events) => tail?.offer(events))
    try {
      // The store gets the same open log; the server keeps reading it for pulls and live updates.
      const store = createStore({
        name,
        commands: this.options.domain.commands,
        storage: { kind: this.options.store.kind, open: async () => ({ ...commits.log, close: () => undefined }) },
        origin: this.options.origin ?? 'server',
        persist: false,
        // Server processes sharing one database race for hot streams far more than tabs do.
        maxAttempts: this.options.maxAttempts ?? 20,
        // Other processes write to a shared log: catch cached states up instead of folding again.
        sharedLog: this.options.store.shared === true,
        // Clients pull the whole log from the server: it never compacts on its own.
        compaction: false,
      })
      await store.ready
      tail = await createTail(log, { keep: this.options.recentEvents ?? 10_000, report: this.report, ...(scopes ? { scopeOf: scopes.ofStream } : {}) })
      const live = createLiveHub({
        tail,
        authenticate: this.authenticate,
        canRead: this.canRead,
        scopes: this.scopes,
        helloTimeout: this.options.helloTimeout ?? 5_000,
        heartbeat: this.options.heartbeat ?? 30_000,
        report: this.report,
      })
      // Buckets in the database when it offers them (several processes), else in memory.
      const limiter = this.rateLimit ? createRateLimiter(this.rateLimit, log.rateLimits) : undefined
      return { store, log, commits, limiter, tail, live }
    } catch (error) {
      log.close()
      throw error
    }
  }

  /** Answers one request; never rejects. */
  respond(request: SyncRequest): Promise<SyncResponse> {
    const answer = this.route(request).catch((error: unknown) => this.failure(error))
    this.inFlight.add(answer)
    void answer.finally(() => this.inFlight.delete(answer))
    return answer
  }

  private async route(request: SyncRequest): Promise<SyncResponse> {
    const cors = corsFor(this.options.cors, request)
    if (cors.preflight) return cors.preflight
    const answer = await this.endpoint(request).catch((error: unknown) => this.failure(error))
    return { ...answer, headers: { ...answer.headers, ...cors.headers } }
  }

  /** The answer to a request that failed: its own refusal, or `internal` for anything unexpected (reported). */
  private failure(error: unknown): SyncResponse {
    if (error instanceof RequestError) return errorResponse(error)
    this.report(error)
    return errorResponse(refuse('internal', 'The server failed unexpectedly; try again later.'))
  }

  private async endpoint(request: SyncRequest): Promise<SyncResponse> {
    const path = new URL(request.url, 'http://localhost').pathname
    if (this.closing) throw refuse('unavailable', 'The server is shutting down; try again in a moment.', {}, { connection: 'close' })
    const route = {
      [protocolPaths.push]: { method: 'POST', run: async () => handlePush(await this.routes(), request) },
      [protocolPaths.events]: { method: 'GET', run: async () => handlePull(await this.routes(), request) },
      [protocolPaths.health]: { method: 'GET', run: async () => (await this.routes(), json(200, { protocol: protocolVersion, protocols: protocolVersions, status: 'ok' })) },
      [protocolPaths.live]: { method: 'GET', run: async () => errorResponse(refuse('invalid-message', 'Connect to /v1/live with a WebSocket.')) },
    }[path]
    if (!route) throw refuse('not-found', `No such endpoint: ${path}. The protocol has ${Object.values(protocolPaths).join(', ')}.`)
    if (request.method !== route.method) throw refuse('method-not-allowed', `${path} takes ${route.method}.`, {}, { allow: route.method })
    return route.run()
  }

  private async routes(): Promise<Routes> {
    let opened: Opened
    try {
      opened = await this.open()
    } catch (error) {
      this.report(error)
      throw refuse('unavailable', 'The server could not open its event store; try again in a moment.')
    }
    return {
      store: opened.store,
      log: opened.log,
      authenticate: this.authenticate,
      authorize: this.options.authorize,
      canRead: this.canRead,
      scopes: this.scopes,
      report: this.report,
      committed: opened.commits.take,
      knownHead: () => opened.tail.head,
      limiter: opened.limiter,
      maxBodyBytes: this.options.maxBodyBytes ?? 1024 * 1024,
      maxCommands: this.maxCommands,
      pullLimit: Math.min(this.options.pullLimit ?? 500, protocolLimits.eventsPerPage),
    }
  }

  /** Takes a WebSocket upgrade to the live path; false for any other path. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (path !== protocolPaths.live) return false
    const refuseUpgrade = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    if (this.closing) refuseUpgrade(503, 'Service Unavailable')
    else if (this.options.cors && !originAllowed(this.options.cors, req.headers.origin)) refuseUpgrade(403, 'Forbidden')
    else {
      this.open().then(
        (opened) => (this.closing || socket.destroyed ? refuseUpgrade(503, 'Service Unavailable') : opened.live.upgrade(req, socket, head)),
        (error: unknown) => {
          this.report(error)
          refuseUpgrade(503, 'Service Unavailable')
        },
      )
    }
    return true
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const opened = this.opened ?? (await this.opening?.catch(() => undefined))
      await opened?.live.close()
      // Every request in flight runs to its answer; requests arriving meanwhile get `unavailable`.
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
      if (opened) {
        await opened.store.close()
        opened.tail.close()
        opened.log.close()
      }
    })()
    return this.closing
  }
}

/** The protocol's paths, which the Node handler answers; any other goes to `next` when there is one. */
const ownPaths = new Set<string>(Object.values(protocolPaths))

/**
 * Creates the sync endpoints (`POST /v1/push`, `GET /v1/events`, the `/v1/live` WebSocket and
 * `GET /v1/health`) as a handler to mount in an existing server. Every pushed command is executed
 * again here, through a core store over the server's event log, with the principal `authenticate`
 * returned. Mount it before any body parser: it reads the request body itself, within `maxBodyBytes`.
 *
 * @example
 * // Express: the app's own routes and the sync endpoints on one port.
 * const sync = createSyncHandler({ domain: { commands }, store: sqliteStorage({ path: './data.sqlite' }), authenticate, canRead })
 * app.use(sync)
 * const server = app.listen(8080)
 * sync.attach(server) // live updates
 *
 * // Hono (fetch-style): app.all('/v1/*', (c) => sync.fetch(c.req.raw))
 */
export function createSyncHandler(options: SyncHandlerOptions): SyncHandler {
  const service = new SyncService(options)
  const handler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => {
    if (next && !ownPaths.has(new URL(req.url ?? '/', 'http://localhost').pathname)) {
      next()
      return
    }
    void service.respond(fromNode(req)).then((response) => writeNode(res, response))
  }
  return Object.assign(handler, {
    fetch: async (request: Request) => toFetch(await service.respond(fromFetch(request))),
    upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => service.upgrade(req, socket, head),
    attach(server: Server) {
      const listener = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        // With no other listener, nobody else would answer an upgrade to another path.
        if (!service.upgrade(req, socket, head) && server.listenerCount('upgrade') === 1) {
          socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
        }
      }
      server.on('upgrade', listener)
      return () => void server.off('upgrade', listener)
    },
    open: async () => void (await service.open()),
    close: () => service.close(),
  })
}
