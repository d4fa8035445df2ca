import type { Server as NetServer, Socket } from 'node:net'

/**
 * How long a client may take and how many connections it may hold. Each bound frees what a slow
 * or hostile client would otherwise keep: a socket, a parser, a request's buffered body.
 */
export interface ConnectionLimits {
  /** Milliseconds a client has to send a request's headers, from connecting (or from its first byte on a kept-alive connection). Default 5 000. */
  readonly headersTimeout?: number
  /** Milliseconds a client has to send a whole request, headers and body. Default 15 000. The answer's time does not count. */
  readonly requestTimeout?: number
  /** Milliseconds a kept-alive connection may sit idle between requests. Default 5 000. */
  readonly idleTimeout?: number
  /**
   * Open connections (HTTP and live WebSockets) per client address; the next one is answered 503
   * and closed. Default 64; 0 turns the cap off, as it must be behind a load balancer or proxy,
   * where every connection comes from the proxy's address.
   */
  readonly maxConnectionsPerClient?: number
}

/** The limits with their defaults, checked. */
export function connectionLimits(limits: ConnectionLimits = {}): Required<ConnectionLimits> {
  const resolved = {
    headersTimeout: limits.headersTimeout ?? 5_000,
    requestTimeout: limits.requestTimeout ?? 15_000,
    idleTimeout: limits.idleTimeout ?? 5_000,
    maxConnectionsPerClient: limits.maxConnectionsPerClient ?? 64,
  }
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 0) throw new TypeError(`${name} must be a non-negative integer (milliseconds, or a count), got ${String(value)}`)
  }
  if (resolved.headersTimeout === 0 || resolved.requestTimeout === 0 || resolved.idleTimeout === 0) {
    throw new TypeError('headersTimeout, requestTimeout and idleTimeout must be positive: a server without them holds slow clients for ever')
  }
  if (resolved.headersTimeout > resolved.requestTimeout) {
    throw new TypeError(`headersTimeout (${resolved.headersTimeout}) cannot exceed requestTimeout (${resolved.requestTimeout}): the headers are part of the request`)
  }
  return resolved
}

/**
 * Node's `http.createServer` options for `limits`. Node checks the header and request timeouts
 * only every `connectionsCheckingInterval` (30 s by default), so it is set to a fraction of them.
 */
export function httpServerOptions(limits: Required<ConnectionLimits>) {
  return {
    headersTimeout: limits.headersTimeout,
    requestTimeout: limits.requestTimeout,
    keepAliveTimeout: limits.idleTimeout,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeout / 4))),
  }
}

const overCap = 'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 40\r\n\r\nToo many connections from this address.\n'

/**
 * Caps the open connections per client address on `server`: one over the cap is answered 503 and
 * closed before it is read. Returns the function that removes the cap.
 */
export function capConnectionsPerClient(server: NetServer, cap: number): () => void {
  const open = new Map<string, number>()
  const onConnection = (socket: Socket) => {
    const address = socket.remoteAddress
    if (address === undefined) return
    const count = (open.get(address) ?? 0) + 1
    if (count > cap) {
      socket.end(overCap, () => socket.destroy())
      return
    }
    open.set(address, count)
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1
      if (left > 0) open.set(address, left)
      else open.delete(address)
    })
  }
  server.prependListener('connection', onConnection)
  return () => void server.off('connection', onConnection)
}
