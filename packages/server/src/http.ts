import type { IncomingMessage, ServerResponse } from 'node:http'
import { protocolVersions, type ProtocolVersion, type SyncErrorCode, type WireError } from '@chronicle/sync'

/** HTTP status of each protocol error code. */
const statusOf: Record<SyncErrorCode, number> = {
  'malformed-json': 400,
  'invalid-message': 400,
  'unsupported-protocol': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'payload-too-large': 413,
  'rate-limited': 429,
  internal: 500,
  unavailable: 503,
  network: 502,
  timeout: 504,
  'bad-response': 502,
}

/** A protocol-level refusal of a whole request; the HTTP layer turns it into an ErrorResponse. */
export class RequestError extends Error {
  /** The protocol version of the request, once known: the answer is written in it. */
  protocol: ProtocolVersion | undefined

  constructor(
    readonly wire: WireError,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(wire.message)
  }
  get status(): number {
    return statusOf[this.wire.code]
  }
}

/** Shorthand for throwing a RequestError. */
export const refuse = (code: SyncErrorCode, message: string, extra: Omit<WireError, 'code' | 'message'> = {}, headers: Record<string, string> = {}) =>
  new RequestError({ code, message, ...extra }, headers)

/** Writes a JSON answer (unless the connection is gone). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}) {
  if (res.headersSent || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers })
  res.end(text)
}

/**
 * Writes an ErrorResponse for a RequestError, in the request's protocol version; before that is
 * known (no token, a body too large to read), in the oldest version, which every client reads.
 */
export function sendError(res: ServerResponse, error: RequestError) {
  sendJson(res, error.status, { protocol: error.protocol ?? protocolVersions[0], error: error.wire }, error.headers)
}

/** The bearer token of a request, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null
  return match?.[1]
}

/**
 * Reads a request body of at most `limit` bytes. A larger one (by Content-Length, or as it
 * streams in) is refused with `payload-too-large` before it is parsed. The rest of it is read and
 * dropped, so the client finishes sending and reads the answer instead of a reset connection;
 * a client that keeps sending past `16 * limit` more is cut off.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => {
      req.removeAllListeners('data')
      let drained = 0
      req.on('data', (chunk: Buffer) => {
        drained += chunk.length
        if (drained > 16 * limit) req.socket.destroy()
      })
      reject(refuse('payload-too-large', `The request body exceeds ${limit} bytes; push fewer commands at once.`))
    }
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) {
      tooLarge()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) tooLarge()
      else chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', (error) => reject(error))
  })
}

/** Which cross-origin callers a browser may let through. */
export interface CorsOptions {
  /** Allowed origins: `'*'`, a list (`['https://app.example.com']`) or a predicate. */
  readonly origins: '*' | readonly string[] | ((origin: string) => boolean)
  /** Seconds a browser may cache a preflight answer (default 600). */
  readonly maxAge?: number
}

/** True when a request's Origin may call this server under `cors` (no Origin: not a browser, allowed). */
export function originAllowed(cors: CorsOptions | false | undefined, origin: string | undefined): boolean {
  if (origin === undefined) return true
  if (!cors) return false
  if (cors.origins === '*') return true
  return typeof cors.origins === 'function' ? cors.origins(origin) : cors.origins.includes(origin)
}

/**
 * Adds CORS headers for an allowed Origin and answers preflights. Returns true when the request
 * was a preflight and has been answered.
 */
export function applyCors(cors: CorsOptions | false | undefined, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin
  const allowed = cors && origin !== undefined && originAllowed(cors, origin)
  if (allowed) {
    res.setHeader('access-control-allow-origin', cors.origins === '*' ? '*' : origin)
    res.setHeader('vary', 'Origin')
    res.setHeader('access-control-expose-headers', 'retry-after')
  }
  if (req.method !== 'OPTIONS') return false
  if (allowed) {
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': String(cors.maxAge ?? 600),
    })
  } else {
    res.writeHead(403, { 'content-type': 'text/plain' })
  }
  res.end()
  return true
}
