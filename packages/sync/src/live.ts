import type { EventEnvelope } from '@chronicle/core'
import { decode, parseJson } from './codecs'
import { SyncError, isSyncError } from './errors'
import { liveCloseCodes, protocolVersion, type PullResponse, type SyncErrorCode } from './protocol'

type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack']

/** The part of the WebSocket API the live subscription uses; the browser's and `ws`'s both fit. */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: Handler<unknown> | null
  onmessage: Handler<{ readonly data: unknown }> | null
  onclose: Handler<{ readonly code: number; readonly reason: string }> | null
  onerror: Handler<unknown> | null
}

/** A WebSocket constructor: the browser's global `WebSocket`, or `ws`'s in Node before 22. */
export type WebSocketConstructor = new (url: string) => WebSocketLike

/** How a live subscription is receiving events right now. */
export type LiveStatus = 'connecting' | 'live' | 'polling' | 'stopped'

/** Receives a live subscription's events and news. */
export interface LiveListener {
  /**
   * Confirmed events after the previous call's `next`, in log order, each once. `next` is the
   * position to resume after (past the last event when the server filtered events out). The next
   * call waits until a returned promise settles; when it rejects, the same events come again.
   */
  events(events: readonly EventEnvelope[], next: number): void | Promise<void>
  status?(status: LiveStatus): void
  /** Failures. Transient ones are retried; after a fatal one (`unauthenticated`, ...) the subscription stops. */
  error?(error: SyncError): void
}

/** Timing of a live subscription. */
export interface LiveOptions {
  /** Milliseconds between pulls while the WebSocket is down (default 5 000). */
  readonly pollInterval?: number
  /** First delay before reconnecting the WebSocket, doubled per failure up to `maxReconnectDelay` (default 1 000). */
  readonly reconnectDelay?: number
  readonly maxReconnectDelay?: number
}

/** A running live subscription. */
export interface LiveSubscription {
  /** The position after the last delivered events. */
  readonly position: number
  readonly status: LiveStatus
  /** Stops it: closes the socket and the polling. */
  close(): void
}

const fatalCodes: ReadonlySet<SyncErrorCode> = new Set(['unauthenticated', 'forbidden', 'unsupported-protocol', 'invalid-message'])
const fatalCloseCodes: ReadonlySet<number> = new Set([liveCloseCodes.invalidHello, liveCloseCodes.unauthenticated, liveCloseCodes.forbidden])

export interface LiveSetup {
  readonly url: string
  readonly after: number
  readonly token: () => Promise<string>
  readonly pull: (after: number) => Promise<PullResponse>
  readonly WebSocket?: WebSocketConstructor
  readonly listener: LiveListener
  readonly options: LiveOptions
}

/**
 * Runs a live subscription: the WebSocket when it can, `pull` polling while it cannot. Every
 * delivery goes through one queue that drops what the cursor already passed, so the two paths may
 * overlap without repeating or skipping an event.
 */
export function subscribeLive(setup: LiveSetup): LiveSubscription {
  const { listener } = setup
  const pollInterval = setup.options.pollInterval ?? 5000
  const firstDelay = setup.options.reconnectDelay ?? 1000
  const maxDelay = setup.options.maxReconnectDelay ?? 30_000
  let cursor = setup.after
  let status: LiveStatus = 'connecting'
  let stopped = false
  let socket: WebSocketLike | undefined
  let failures = 0
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined
  let pollTimer: ReturnType<typeof setTimeout> | undefined
  let polling = false
  /** Identifies the current polling loop; a loop that is no longer current ends at its next step. */
  let pollLoop = 0
  let delivering: Promise<void> = Promise.resolve()

  const setStatus = (next: LiveStatus) => {
    if (status === next) return
    status = next
    listener.status?.(next)
  }

  const report = (error: SyncError) => {
    listener.error?.(error)
    if (fatalCodes.has(error.code)) stop()
  }

  /**
   * Queues one page: the events with `after < seq <= next`. Resolves false, delivering nothing,
   * when the page starts past the cursor (an earlier page failed): the caller resumes from the
   * cursor instead.
   */
  const deliver = (after: number, events: readonly EventEnvelope[], next: number): Promise<boolean> => {
    const delivered = delivering.then(async () => {
      if (stopped || next <= cursor) return true
      if (after > cursor) return false
      const fresh = events.filter((event) => event.seq > cursor)
      await listener.events(fresh, next)
      cursor = next
      return true
    })
    // The queue goes on after a failure; the failed page's caller hears of it.
    delivering = delivered.then(
      () => undefined,
      () => undefined,
    )
    return delivered
  }

  function stop() {
    if (stopped) return
    stopped = true
    clearTimeout(reconnectTimer)
    stopPolling()
    const open = socket
    socket = undefined
    if (open) {
      open.onclose = open.onmessage = open.onopen = null
      // Closing a socket that is still connecting reports an error (Node's `ws` throws it when
      // nobody listens); it is expected here.
      open.onerror = () => undefined
      open.close(1000, 'closed by the client')
    }
    setStatus('stopped')
  }

  function startPolling() {
    if (stopped || polling) return
    polling = true
    const loop = ++pollLoop
    setStatus('polling')
    const tick = async () => {
      pollTimer = undefined
      if (loop !== pollLoop) return
      let more = false
      try {
        const from = cursor
        const page = await setup.pull(from)
        more = (await deliver(from, page.events, page.next)) && page.more
      } catch (error) {
        report(isSyncError(error) ? error : new SyncError('internal', `Applying pulled events failed: ${String(error)}`, { cause: error }))
      }
      if (loop === pollLoop && !stopped) pollTimer = setTimeout(() => void tick(), more ? 0 : pollInterval)
    }
    void tick()
  }

  function stopPolling() {
    polling = false
    pollLoop++
    clearTimeout(pollTimer)
  }

  function scheduleReconnect() {
    if (stopped || !setup.WebSocket) return
    const delay = Math.min(maxDelay, firstDelay * 2 ** failures)
    failures++
    // Jitter spreads reconnects of many clients after a server restart.
    reconnectTimer = setTimeout(connect, delay * (0.5 + Math.random() / 2))
  }

  function connect() {
    reconnectTimer = undefined
    if (stopped) return
    if (!setup.WebSocket) {
      startPolling()
      return
    }
    if (status !== 'polling') setStatus('connecting')
    let ws: WebSocketLike
    try {
      ws = new setup.WebSocket(setup.url)
    } catch (error) {
      report(new SyncError('network', `Could not open the live WebSocket: ${String(error)}`, { cause: error }))
      startPolling()
      scheduleReconnect()
      return
    }
    socket = ws
    ws.onopen = () => {
      void setup.token().then(
        (token) => {
          if (socket === ws) ws.send(JSON.stringify({ type: 'hello', protocol: protocolVersion, token, after: cursor }))
        },
        (error: unknown) => {
          report(new SyncError('unauthenticated', `Could not get a token for the live WebSocket: ${String(error)}`, { cause: error }))
          ws.close(1000)
        },
      )
    }
    ws.onmessage = (event) => {
      const parsed = typeof event.data === 'string' ? parseJson(event.data) : undefined
      const message = parsed?.ok ? decode.liveServerMessage(parsed.value) : undefined
      if (!message?.ok) {
        report(new SyncError('bad-response', 'The live WebSocket sent a message that does not follow the protocol.', { ...(message ? { issues: message.issues } : {}) }))
        ws.close(1002, 'bad message')
        return
      }
      const value = message.value
      if (value.type === 'ready') {
        failures = 0
        stopPolling()
        setStatus('live')
      } else if (value.type === 'events') {
        // After a failed page, later pages do not follow the cursor: resume from the cursor on a
        // fresh socket, so the failed events come again.
        deliver(value.after, value.events, value.next).then(
          (delivered) => {
            if (!delivered) ws.close(1000, 'resuming')
          },
          (error: unknown) => {
            report(new SyncError('internal', `Applying live events failed: ${String(error)}`, { cause: error }))
            ws.close(1000, 'listener failed')
          },
        )
      } else {
        report(SyncError.fromWire(value.error))
      }
    }
    ws.onerror = () => undefined
    ws.onclose = (event) => {
      if (socket !== ws) return
      socket = undefined
      if (stopped) return
      if (fatalCloseCodes.has(event.code)) {
        report(new SyncError(event.code === liveCloseCodes.forbidden ? 'forbidden' : 'unauthenticated', `The server closed the live WebSocket: ${event.reason || event.code}`))
        if (!stopped) stop()
        return
      }
      startPolling()
      scheduleReconnect()
    }
  }

  connect()
  return {
    get position() {
      return cursor
    },
    get status() {
      return status
    },
    close: stop,
  }
}
