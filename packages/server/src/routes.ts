import type { EventEnvelope, Principal, Store } from '@chronicle/core'
import { decode, isVersionMismatch, parseJson, protocolVersions, type PullResponse, type PushCommand } from '@chronicle/sync'
import { bearerToken, json, refuse, type RequestError, type SyncRequest, type SyncResponse } from './http'
import { executePush } from './push'
import type { RateLimiter } from './rateLimit'
import type { ServerEventLog } from './storage/serverStorage'

/** What the push and pull endpoints need from the server. */
export interface Routes {
  readonly store: Store
  readonly log: ServerEventLog
  readonly authenticate: (token: string) => Promise<Principal | undefined>
  readonly authorize: ((principal: Principal, command: PushCommand) => boolean | Promise<boolean>) | undefined
  readonly canRead: (principal: Principal, stream: string) => boolean
  /** The scopes a principal reads (with `''`), null for all (see ScopeOptions). */
  readonly scopes: (principal: Principal) => readonly string[] | null
  readonly report: (error: unknown) => void
  readonly committed: (commandId: string) => readonly EventEnvelope[] | undefined
  readonly knownHead: () => number
  readonly limiter: RateLimiter | undefined
  readonly maxBodyBytes: number
  readonly maxCommands: number
  readonly pullLimit: number
}

/** The principal of a request's bearer token; refuses with `unauthenticated` otherwise. */
async function principalOf(routes: Routes, req: SyncRequest): Promise<Principal> {
  const token = bearerToken(req)
  if (token === undefined) throw refuse('unauthenticated', 'Send the token as "Authorization: Bearer <token>".', {}, { 'www-authenticate': 'Bearer' })
  let principal: Principal | undefined
  try {
    principal = await routes.authenticate(token)
  } catch (error) {
    routes.report(error)
    throw refuse('unavailable', 'The server could not check the token; try again later.')
  }
  if (principal === undefined) throw refuse('unauthenticated', 'The bearer token is not accepted; sign in again.', {}, { 'www-authenticate': 'Bearer error="invalid_token"' })
  return principal
}

/**
 * `POST /v1/push`. In order: the token (401), the body size (413), JSON (400), the number of
 * commands (413), the message's shape (400), the principal's rate (429); only then are commands
 * executed.
 * A refused request changes nothing.
 */
export async function handlePush(routes: Routes, req: SyncRequest): Promise<SyncResponse> {
  const principal = await principalOf(routes, req)
  const body = await req.text(routes.maxBodyBytes)
  const parsed = parseJson(body)
  if (!parsed.ok) throw refuse('malformed-json', `The body is not JSON: ${parsed.issues[0]!.message}`)
  // Too many commands is a size refusal (413) whatever else is wrong, also past the protocol's own
  // limit, where the decoder alone would call the message invalid (400).
  const pushed = commandCount(parsed.value)
  if (pushed > routes.maxCommands) throw inVersionOf(parsed.value, tooManyCommands(routes.maxCommands, pushed))
  const request = decode.pushRequest(parsed.value)
  if (!request.ok) {
    if (isVersionMismatch(request.issues)) throw refuse('unsupported-protocol', `This server speaks protocol ${protocolVersions.join(' and ')}; update the client.`, { issues: request.issues })
    throw refuse('invalid-message', 'The push does not follow the protocol; see issues.', { issues: request.issues })
  }
  const { commands, protocol } = request.value
  const inVersion = (error: RequestError) => Object.assign(error, { protocol })
  let wait = 0
  try {
    wait = (await routes.limiter?.take(principal, Math.max(1, commands.length))) ?? 0
  } catch (error) {
    routes.report(error)
    throw inVersion(refuse('unavailable', 'The server could not check the rate limit; try again later.'))
  }
  if (wait > 0) {
    throw inVersion(refuse('rate-limited', `Too many commands; try again in ${Math.ceil(wait / 1000)} s.`, { retryAfter: wait }, { 'retry-after': String(Math.ceil(wait / 1000)) }))
  }
  return json(200, await executePush(routes, principal, request.value))
}

/** How many commands a parsed push body carries (0 when it has no command list). */
const commandCount = (body: unknown): number => {
  const commands = typeof body === 'object' && body !== null ? (body as { commands?: unknown }).commands : undefined
  return Array.isArray(commands) ? commands.length : 0
}

const tooManyCommands = (max: number, pushed: number) => refuse('payload-too-large', `A push may carry at most ${max} commands, this one has ${pushed}; split the batch.`)

/** A refusal in the body's protocol version when it names one this server speaks (else the oldest). */
function inVersionOf(body: unknown, error: RequestError): RequestError {
  const version = typeof body === 'object' && body !== null ? (body as { protocol?: unknown }).protocol : undefined
  const protocol = protocolVersions.find((v) => v === version)
  return protocol === undefined ? error : Object.assign(error, { protocol })
}

const nonNegativeInteger = /^(0|[1-9][0-9]{0,15})$/

/** How many events a pull looks at, at most, to fill one page for a principal that may read few. */
const scanBudget = 20

/**
 * `GET /v1/events?after=N&limit=M&protocol=V`: events after N that the principal may read, in
 * protocol V (default 1, which clients before version 2 did not name). Scans at most
 * `scanBudget` pages of the log; `next` tells where it stopped, so a principal who may read little
 * of a busy log still moves forward page by page.
 */
export async function handlePull(routes: Routes, req: SyncRequest): Promise<SyncResponse> {
  const principal = await principalOf(routes, req)
  const query = new URL(req.url, 'http://localhost').searchParams
  const afterText = query.get('after') ?? '0'
  const limitText = query.get('limit') ?? String(routes.pullLimit)
  const protocol = protocolVersions.find((version) => String(version) === (query.get('protocol') ?? '1'))
  if (protocol === undefined) {
    throw refuse('unsupported-protocol', `This server speaks protocol ${protocolVersions.join(' and ')}; update the client.`, { issues: [{ path: 'protocol', message: `expected one of ${protocolVersions.join(', ')}` }] })
  }
  const issues = [
    ...(nonNegativeInteger.test(afterText) && Number.isSafeInteger(Number(afterText)) ? [] : [{ path: 'after', message: 'expected a non-negative integer' }]),
    ...(nonNegativeInteger.test(limitText) && Number(limitText) >= 1 ? [] : [{ path: 'limit', message: 'expected a positive integer' }]),
  ]
  if (issues.length > 0) throw Object.assign(refuse('invalid-message', 'Pull with ?after=<position>&limit=<count>.', { issues }), { protocol })
  const limit = Math.min(Number(limitText), routes.pullLimit)
  let cursor = Number(afterText)
  const head = await routes.log.head()
  const events: EventEnvelope[] = []
  // With scopes, the database reads only the principal's scopes (by index); canRead decides on those.
  const scopes = routes.scopes(principal)
  // A scoped page holds what the principal may read (canRead seldom says no there): read no more
  // than asked for. Unscoped, a page of the server's size is scanned for what it may read.
  const pageSize = scopes ? limit : routes.pullLimit
  scan: for (let pages = 0; pages < scanBudget && cursor < head; pages++) {
    const range = { to: head, limit: pageSize }
    const page = scopes ? await routes.log.readScoped(cursor, range, scopes) : await routes.log.readLog(cursor, range)
    for (const event of page) {
      if (routes.canRead(principal, event.stream)) events.push(event)
      cursor = event.seq
      if (events.length === limit) break scan
    }
    // A short page read everything up to the head (a scoped one: everything the principal may see).
    if (page.length < pageSize) {
      cursor = head
      break
    }
  }
  const answer: PullResponse = { protocol, events, next: Math.max(cursor, Number(afterText)), head, more: cursor < head }
  return json(200, answer)
}
