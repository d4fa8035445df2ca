import { ChronicleError } from '@chronicle/core'
import { protocolVersions, type ProtocolVersion, type SyncErrorCode, type WireError } from '@chronicle/sync'

/**
 * A request as the sync endpoints see it, whichever server delivered it: Node's `http`
 * (`node.ts`) or a fetch-style `Request` (`fetch.ts`).
 */
export interface SyncRequest {
  readonly method: string
  /** Path and query, e.g. `/v1/events?after=3`. */
  readonly url: string
  /** A header's value (names in lower case), or undefined. */
  header(name: string): string | undefined
  /** The body as UTF-8 text; rejects with `payload-too-large` past `limit` bytes, before reading it all. */
  text(limit: number): Promise<string>
}

/** An answer of the sync endpoints, written back by the adapter that delivered the request. */
export interface SyncResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

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

/**
 * A protocol-level refusal of a whole request; the HTTP layer turns it into an ErrorResponse with
 * the code's HTTP status. The same class (`SyncError`) as the client throws when it reads one.
 */
export class RequestError extends ChronicleError {
  declare readonly code: SyncErrorCode
  /** The protocol version of the request, once known: the answer is written in it. */
  protocol: ProtocolVersion | undefined

  constructor(
    readonly wire: WireError,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super('SyncError', wire.code, wire.message)
  }
  get status(): number {
    return statusOf[this.wire.code]
  }
}

/** Shorthand for throwing a RequestError. */
export const refuse = (code: SyncErrorCode, message: string, extra: Omit<WireError, 'code' | 'message'> = {}, headers: Record<string, string> = {}) =>
  new RequestError({ code, message, ...extra }, headers)

/** A JSON answer. */
export function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): SyncResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }, body: JSON.stringify(body) }
}

/**
 * An ErrorResponse for a RequestError, in the request's protocol version; before that is known
 * (no token, a body too large to read), in the oldest version, which every client reads.
 */
export function errorResponse(error: RequestError): SyncResponse {
  return json(error.status, { protocol: error.protocol ?? protocolVersions[0], error: error.wire }, error.headers)
}

/** The bearer token of a request, or undefined. */
export function bearerToken(request: SyncRequest): string | undefined {
  const header = request.header('authorization')
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null
  return match?.[1]
}

/** The refusal of a body over `limit` bytes. */
export const tooLarge = (limit: number) => refuse('payload-too-large', `The request body exceeds ${limit} bytes; push fewer commands at once.`)

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
 * The CORS headers for a request (none unless its Origin is allowed), and the whole answer when
 * the request is a preflight.
 */
export function corsFor(cors: CorsOptions | false | undefined, request: SyncRequest): { headers: Record<string, string>; preflight?: SyncResponse } {
  const origin = request.header('origin')
  const allowed = cors && origin !== undefined && originAllowed(cors, origin)
  const headers: Record<string, string> = allowed ? { 'access-control-allow-origin': cors.origins === '*' ? '*' : origin, vary: 'Origin', 'access-control-expose-headers': 'retry-after' } : {}
  if (request.method !== 'OPTIONS') return { headers }
  if (!allowed) return { headers, preflight: { status: 403, headers: { 'content-type': 'text/plain' }, body: '' } }
  return {
    headers,
    preflight: {
      status: 204,
      headers: {
        ...headers,
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-max-age': String(cors.maxAge ?? 600),
      },
      body: '',
    },
  }
}
