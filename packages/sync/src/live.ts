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
  return new LiveConnection(setup)
}

/** A live subscription's state and steps: the socket's life, the polling loop, the delivery queue. */
class LiveConnection implements LiveSubscription {
  readonly #setup: LiveSetup
  readonly #listener: LiveListener
  readonly #pollInterval: number
  readonly #firstDelay: number
  readonly #maxDelay: number
  #cursor: number
  #status: LiveStatus = 'connecting'
  #stopped = false
  #socket: WebSocketLike | undefined
  #failures = 0
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined
  #pollTimer: ReturnType<typeof setTimeout> | undefined
  #polling = false
  /** Identifies the current polling loop; a loop that is no longer current ends at its next step. */
  #pollLoop = 0
  #delivering: Promise<void> = Promise.resolve()

  constructor(setup: LiveSetup) {
    this.#setup = setup
    this.#listener = setup.listener
    this.#pollInterval = setup.options.pollInterval ?? 5000
    this.#firstDelay = setup.options.reconnectDelay ?? 1000
    this.#maxDelay = setup.options.maxReconnectDelay ?? 30_000
    this.#cursor = setup.after
    this.#connect()
  }

  /** The position after the last delivered events. */
  get position(): number {
    return this.#cursor
  }

  /** How it is receiving events right now. */
  get status(): LiveStatus {
    return this.#status
  }

  /** Stops it: closes the socket and the polling. A bound function, so it may be passed on alone. */
  readonly close = (): void => this.#stop()

  /** Tells the listener of a new status (only of a change). */
  #setStatus(next: LiveStatus) {
    if (this.#status === next) return
    this.#status = next
    this.#listener.status?.(next)
  }

  /** Tells the listener of a failure; a fatal one stops the subscription. */
  #report(error: SyncError) {
    this.#listener.error?.(error)
    if (fatalCodes.has(error.code)) this.#stop()
  }

  /**
   * Queues one page: the events with `after < seq <= next`. Resolves false, delivering nothing,
   * when the page starts past the cursor (an earlier page failed): the caller resumes from the
   * cursor instead.
   */
  #deliver(after: number, events: readonly EventEnvelope[], next: number): Promise<boolean> {
    const delivered = this.#delivering.then(async () => {
      if (this.#stopped || next <= this.#cursor) return true
      if (after > this.#cursor) return false
      const fresh = events.filter((event) => event.seq > this.#cursor)
      await this.#listener.events(fresh, next)
      this.#cursor = next
      return true
    })
    // The queue goes on after a failure; the failed page's caller hears of it.
    this.#delivering = delivered.then(
      () => undefined,
      () => undefined,
    )
    return delivered
  }

  /** Ends everything: the reconnect timer, the polling, the socket (quietly). */
  #stop() {
    if (this.#stopped) return
    this.#stopped = true
    clearTimeout(this.#reconnectTimer)
    this.#stopPolling()
    const open = this.#socket
    this.#socket = undefined
    if (open) {
      open.onclose = open.onmessage = open.onopen = null
      // Closing a socket that is still connecting reports an error (Node's `ws` throws it when
      // nobody listens); it is expected here.
      open.onerror = () => undefined
      open.close(1000, 'closed by the client')
    }
    this.#setStatus('stopped')
  }

  /** Starts a polling loop unless one runs: a pull now, then one every `pollInterval` (at once while there is more). */
  #startPolling() {
    if (this.#stopped || this.#polling) return
    this.#polling = true
    const loop = ++this.#pollLoop
    this.#setStatus('polling')
    void this.#poll(loop)
  }

  /** One step of polling loop `loop`: pulls from the cursor, delivers the page, schedules the next step. */
  async #poll(loop: number) {
    this.#pollTimer = undefined
    if (loop !== this.#pollLoop) return
    let more = false
    try {
      const from = this.#cursor
      const page = await this.#setup.pull(from)
      more = (await this.#deliver(from, page.events, page.next)) && page.more
    } catch (error) {
      this.#report(isSyncError(error) ? error : new SyncError('internal', `Applying pulled events failed: ${String(error)}`, { cause: error }))
    }
    if (loop === this.#pollLoop && !this.#stopped) this.#pollTimer = setTimeout(() => void this.#poll(loop), more ? 0 : this.#pollInterval)
  }

  /** Ends the current polling loop (its step in flight finds itself no longer current). */
  #stopPolling() {
    this.#polling = false
    this.#pollLoop++
    clearTimeout(this.#pollTimer)
  }

  /** Tries the WebSocket again later: exponential delay with jitter. */
  #scheduleReconnect() {
    if (this.#stopped || !this.#setup.WebSocket) return
    const delay = Math.min(this.#maxDelay, this.#firstDelay * 2 ** this.#failures)
    this.#failures++
    // Jitter spreads reconnects of many clients after a server restart.
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay * (0.5 + Math.random() / 2))
  }

  /** Opens the WebSocket (or polls when there is none) and wires its events to the handlers below. */
  #connect() {
    this.#reconnectTimer = undefined
    if (this.#stopped) return
    if (!this.#setup.WebSocket) {
      this.#startPolling()
      return
    }
    if (this.#status !== 'polling') this.#setStatus('connecting')
    let ws: WebSocketLike
    try {
      ws = new this.#setup.WebSocket(this.#setup.url)
    } catch (error) {
      this.#report(new SyncError('network', `Could not open the live WebSocket: ${String(error)}`, { cause: error }))
      this.#startPolling()
      this.#scheduleReconnect()
      return
    }
    this.#socket = ws
    ws.onopen = () => this.#sendHello(ws)
    ws.onmessage = (event) => this.#onMessage(ws, event)
    ws.onerror = () => undefined
    ws.onclose = (event) => this.#onClose(ws, event)
  }

  /** The socket is open: says hello with a fresh token and the cursor to resume after. */
  #sendHello(ws: WebSocketLike) {
    void this.#setup.token().then(
      (token) => {
        if (this.#socket === ws) ws.send(JSON.stringify({ type: 'hello', protocol: protocolVersion, token, after: this.#cursor }))
      },
      (error: unknown) => {
        this.#report(new SyncError('unauthenticated', `Could not get a token for the live WebSocket: ${String(error)}`, { cause: error }))
        ws.close(1000)
      },
    )
  }

  /** A message on the socket: `ready` (live now, polling ends), a page of `events`, or an `error`. */
  #onMessage(ws: WebSocketLike, event: { readonly data: unknown }) {
    const parsed = typeof event.data === 'string' ? parseJson(event.data) : undefined
    const message = parsed?.ok ? decode.liveServerMessage(parsed.value) : undefined
    if (!message?.ok) {
      this.#report(new SyncError('bad-response', 'The live WebSocket sent a message that does not follow the protocol.', { ...(message ? { issues: message.issues } : {}) }))
      ws.close(1002, 'bad message')
      return
    }
    const value = message.value
    if (value.type === 'ready') {
      this.#failures = 0
      this.#stopPolling()
      this.#setStatus('live')
    } else if (value.type === 'events') {
      // After a failed page, later pages do not follow the cursor: resume from the cursor on a
      // fresh socket, so the failed events come again.
      this.#deliver(value.after, value.events, value.next).then(
        (delivered) => {
          if (!delivered) ws.close(1000, 'resuming')
        },
        (error: unknown) => {
          this.#report(new SyncError('internal', `Applying live events failed: ${String(error)}`, { cause: error }))
          ws.close(1000, 'listener failed')
        },
      )
    } else {
      this.#report(SyncError.fromWire(value.error))
    }
  }

  /** The socket closed: a refusal of the client ends the subscription; anything else polls and reconnects. */
  #onClose(ws: WebSocketLike, event: { readonly code: number; readonly reason: string }) {
    if (this.#socket !== ws) return
    this.#socket = undefined
    if (this.#stopped) return
    if (fatalCloseCodes.has(event.code)) {
      this.#report(new SyncError(event.code === liveCloseCodes.forbidden ? 'forbidden' : 'unauthenticated', `The server closed the live WebSocket: ${event.reason || event.code}`))
      if (!this.#stopped) this.#stop()
      return
    }
    this.#startPolling()
    this.#scheduleReconnect()
  }
}
