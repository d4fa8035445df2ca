import { decode, parseJson, type Decoded } from './codecs'
import { SyncError } from './errors'
import { subscribeLive, type LiveListener, type LiveOptions, type LiveSubscription, type WebSocketConstructor } from './live'
import { protocolPaths, protocolVersion, type PullResponse, type PushCommand, type PushResponse } from './protocol'

/** Options of `createSyncClient`. */
export interface SyncClientOptions {
  /** The server's base URL, e.g. `https://sync.example.com` or `http://127.0.0.1:8080/sync`. */
  readonly url: string
  /** The bearer token, or a function that returns the current one (asked before every request). */
  readonly token: string | (() => string | Promise<string>)
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch
  /**
   * The WebSocket constructor for live updates (default: the global one). In Node before 22,
   * pass `WebSocket` from the `ws` package. Without one, `subscribe` polls.
   */
  readonly WebSocket?: WebSocketConstructor
  /** Milliseconds a push or pull may take before it fails with `timeout` (default 30 000). */
  readonly timeout?: number
  /** Aborts every request in flight, and every later one, when it fires (a connection that stops). */
  readonly signal?: AbortSignal
}

/** A batch of commands for `push`; the client adds the protocol version. */
export interface PushBatch {
  readonly clientId: string
  readonly lastConfirmed: number
  readonly commands: readonly PushCommand[]
}

/** The protocol calls, typed and checked: every answer is validated before it is returned. */
export interface SyncClient {
  /**
   * Sends commands for the server to execute. Resolves with one result per command for a prefix
   * of the batch (see `PushResponse.incomplete`); rejects with a SyncError when the request as a
   * whole failed. Pushing the same commandIds again is safe: the server executes each once.
   */
  push(batch: PushBatch): Promise<PushResponse>
  /** Confirmed events after `after`, one page (the server caps `limit`). */
  pull(after: number, options?: { readonly limit?: number }): Promise<PullResponse>
  /**
   * Confirmed events after `after`, now and as they are committed: over the live WebSocket, or by
   * polling `pull` while the socket is down. Events arrive in order, each once.
   */
  subscribe(after: number, listener: LiveListener, options?: LiveOptions): LiveSubscription
}

/**
 * Creates a client for a Chronicle sync server.
 *
 * @example
 * const client = createSyncClient({ url: 'https://sync.example.com', token: () => auth.token() })
 * const { results } = await client.push({ clientId, lastConfirmed: 0, commands: [{ commandId, type: 'addCard', payload, at: Date.now() }] })
 * const sub = client.subscribe(0, { events: (events) => apply(events) })
 */
export function createSyncClient(options: SyncClientOptions): SyncClient {
  const base = options.url.replace(/\/+$/, '')
  const timeout = options.timeout ?? 30_000
  const token = async () => (typeof options.token === 'function' ? await options.token() : options.token)

  async function request<T>(path: string, init: RequestInit, decodeBody: (value: unknown) => Decoded<T>): Promise<T> {
    const doFetch = options.fetch ?? globalThis.fetch
    let response: Response
    let text: string
    try {
      response = await doFetch(`${base}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${await token()}` },
        signal: options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeout)]) : AbortSignal.timeout(timeout),
      })
      text = await response.text()
    } catch (error) {
      if (options.signal?.aborted) throw new SyncError('network', `The request to ${path} was cancelled: the sync client was stopped.`, { cause: error })
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
      throw timedOut
        ? new SyncError('timeout', `The sync server did not answer ${path} within ${timeout} ms; try again.`, { cause: error })
        : new SyncError('network', `Could not reach the sync server for ${path} (${error instanceof Error ? error.message : String(error)}); try again when online.`, { cause: error })
    }
    const parsed = parseJson(text)
    if (!response.ok) {
      const failure = parsed.ok ? decode.errorResponse(parsed.value) : undefined
      if (failure?.ok) {
        const retryAfterHeader = Number(response.headers.get('retry-after'))
        const error = failure.value.error
        const retryAfter = error.retryAfter ?? (Number.isFinite(retryAfterHeader) && retryAfterHeader > 0 ? retryAfterHeader * 1000 : undefined)
        throw SyncError.fromWire(retryAfter === undefined ? error : { ...error, retryAfter }, response.status)
      }
      throw new SyncError('bad-response', `The sync server answered ${path} with HTTP ${response.status} and no protocol error.`, { status: response.status })
    }
    const body = parsed.ok ? decodeBody(parsed.value) : parsed
    if (!body.ok) {
      throw new SyncError('bad-response', `The sync server's answer to ${path} does not follow protocol ${protocolVersion}.`, { status: response.status, issues: body.issues })
    }
    return body.value
  }

  const client: SyncClient = {
    async push(batch) {
      const response = await request(
        protocolPaths.push,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ protocol: protocolVersion, clientId: batch.clientId, lastConfirmed: batch.lastConfirmed, commands: batch.commands }),
        },
        decode.pushResponse,
      )
      const mismatch = response.results.findIndex((result, i) => result.commandId !== batch.commands[i]?.commandId)
      if (mismatch >= 0) {
        throw new SyncError('bad-response', `The sync server answered push with a result for ${response.results[mismatch]!.commandId} at index ${mismatch}, where the batch has another command.`)
      }
      return response
    },

    pull(after, pullOptions = {}) {
      const query = new URLSearchParams({ after: String(after), protocol: String(protocolVersion) })
      if (pullOptions.limit !== undefined) query.set('limit', String(pullOptions.limit))
      return request(`${protocolPaths.events}?${query}`, { method: 'GET' }, decode.pullResponse)
    },

    subscribe(after, listener, liveOptions = {}) {
      const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
      return subscribeLive({
        url: `${base.replace(/^http/, 'ws')}${protocolPaths.live}`,
        after,
        token,
        pull: (position) => client.pull(position),
        ...(WebSocketClass ? { WebSocket: WebSocketClass } : {}),
        listener,
        options: liveOptions,
      })
    },
  }
  return client
}
