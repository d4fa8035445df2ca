import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocket, WebSocketServer, type RawData } from 'ws'
import type { Principal } from '@chronicle/core'
import { decode, isVersionMismatch, liveCloseCodes, parseJson, protocolLimits, protocolVersions, type LiveServerMessage, type WireError } from '@chronicle/sync'
import type { Tail } from './tail'

/** What the live hub needs from the server. */
export interface LiveContext {
  readonly tail: Tail
  readonly authenticate: (token: string) => Promise<Principal | undefined>
  readonly canRead: (principal: Principal, stream: string) => boolean
  /** The scopes a principal reads (with `''`), null for all: events of others are not read at all. */
  readonly scopes: (principal: Principal) => readonly string[] | null
  /** Milliseconds a new socket may take to send its hello (default 10 000). */
  readonly helloTimeout: number
  /** Milliseconds between pings; a socket that missed the previous pong is dropped. */
  readonly heartbeat: number
  readonly report: (error: unknown) => void
}

/** The WebSockets of `/v1/live`: each authenticated by its hello, then fed the events its principal may read. */
export interface LiveHub {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  readonly connections: number
  /** Closes every socket with 1001 (going away). */
  close(): Promise<void>
}

export function createLiveHub(context: LiveContext): LiveHub {
  const server = new WebSocketServer({ noServer: true, maxPayload: protocolLimits.tokenLength + 1024, clientTracking: true })
  const alive = new WeakSet<WebSocket>()
  const heartbeat = setInterval(() => {
    for (const ws of server.clients) {
      if (!alive.has(ws)) {
        ws.terminate()
        continue
      }
      alive.delete(ws)
      ws.ping()
    }
  }, context.heartbeat)
  heartbeat.unref()

  server.on('connection', (ws: WebSocket) => {
    alive.add(ws)
    ws.on('pong', () => alive.add(ws))
    ws.on('error', () => undefined)
    serve(ws, context)
  })

  return {
    upgrade(req, socket, head) {
      server.handleUpgrade(req, socket, head, (ws) => server.emit('connection', ws, req))
    },
    get connections() {
      return server.clients.size
    },
    async close() {
      clearInterval(heartbeat)
      const closing = [...server.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            ws.once('close', () => resolve())
            ws.close(1001, 'server shutting down')
            // A peer that does not answer the close handshake is cut off.
            setTimeout(() => ws.terminate(), 1000).unref()
          }),
      )
      await Promise.all(closing)
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

const pageSize = protocolLimits.eventsPerPage

function serve(ws: WebSocket, context: LiveContext) {
  let principal: Principal | undefined
  let scopes: readonly string[] | null = null
  let cursor = 0
  let pumping = false
  let again = false
  let stopGrow: (() => void) | undefined

  const send = (message: LiveServerMessage) =>
    new Promise<void>((resolve, reject) => ws.send(JSON.stringify(message), (error) => (error ? reject(error) : resolve())))

  const fail = (closeCode: number, error: WireError) => {
    if (ws.readyState !== WebSocket.OPEN) return
    ws.send(JSON.stringify({ type: 'error', error } satisfies LiveServerMessage), () => ws.close(closeCode, error.code))
  }

  const helloTimer = setTimeout(() => fail(liveCloseCodes.invalidHello, { code: 'invalid-message', message: `Send a hello within ${context.helloTimeout} ms of connecting.` }), context.helloTimeout)
  helloTimer.unref()

  // Sends every event after the cursor the principal may read, page by page; one send at a time,
  // so a slow reader holds only its own pump (its events wait in the log, not in memory).
  const pump = async () => {
    if (pumping) {
      again = true
      return
    }
    pumping = true
    try {
      do {
        again = false
        for (;;) {
          if (ws.readyState !== WebSocket.OPEN || principal === undefined) return
          const { events, next } = await context.tail.read(cursor, pageSize, scopes)
          if (next <= cursor) break
          const reader = principal
          const visible = events.filter((event) => context.canRead(reader, event.stream))
          // Stretches the principal sees nothing of are skipped silently, unless a page long:
          // then the client learns it may move its cursor.
          if (visible.length > 0 || next - cursor >= pageSize) await send({ type: 'events', events: visible, after: cursor, next, head: context.tail.head })
          cursor = next
        }
      } while (again)
    } catch (error) {
      if (ws.readyState === WebSocket.OPEN) {
        context.report(error)
        ws.close(1011, 'internal error')
      }
    } finally {
      pumping = false
    }
  }

  ws.on('close', () => {
    clearTimeout(helloTimer)
    stopGrow?.()
  })

  ws.once('message', (data: RawData, isBinary: boolean) => {
    clearTimeout(helloTimer)
    const parsed = isBinary ? undefined : parseJson(rawText(data))
    if (!parsed?.ok) {
      fail(liveCloseCodes.invalidHello, { code: 'malformed-json', message: 'The first message must be a JSON hello: {"type":"hello","protocol":2,"token":"...","after":0}.' })
      return
    }
    const hello = decode.liveClientMessage(parsed.value)
    if (!hello.ok) {
      const mismatch = isVersionMismatch(hello.issues)
      fail(liveCloseCodes.invalidHello, { code: mismatch ? 'unsupported-protocol' : 'invalid-message', message: mismatch ? `This server speaks protocol ${protocolVersions.join(' and ')}.` : 'The hello does not follow the protocol.', issues: hello.issues })
      return
    }
    void context.authenticate(hello.value.token).then(
      (who) => {
        if (who === undefined) {
          fail(liveCloseCodes.unauthenticated, { code: 'unauthenticated', message: 'The token in the hello is missing or not accepted.' })
          return
        }
        if (ws.readyState !== WebSocket.OPEN) return
        principal = who
        scopes = context.scopes(who)
        cursor = hello.value.after
        void send({ type: 'ready', head: context.tail.head }).then(() => {
          stopGrow = context.tail.onGrow(() => void pump())
          void pump()
        }, () => undefined)
      },
      (error: unknown) => {
        context.report(error)
        fail(1011, { code: 'unavailable', message: 'The server could not check the token; reconnect later.' })
      },
    )
  })
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data as ArrayBuffer).toString('utf8')
}
