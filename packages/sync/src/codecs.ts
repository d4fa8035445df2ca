import { envelopeLimits, isEnvelopeTime } from '@chronicle/core/sync'
import { type ChronicleErrorName, type EventEnvelope, type SchemaIssue } from '@chronicle/core'
import { type SerializedChronicleError } from '@chronicle/core/sync'
import { array, boolean, decodeWith, integer, invalid, json, literal, object, string, variant, type Decoded, type Decoder } from './decoder'
import {
  protocolLimits as limits,
  protocolVersions,
  type CommandResult,
  type ErrorResponse,
  type LiveClientMessage,
  type LiveServerMessage,
  type PullResponse,
  type ProtocolVersion,
  type PushCommand,
  type PushHistory,
  type PushRequest,
  type PushResponse,
  type SyncErrorCode,
  type WireError,
} from './protocol'

const id = string({ min: 1, max: limits.idLength })
/** When something happened, in epoch ms: a time every JavaScript Date can show (core's `envelopeLimits`). */
const time: Decoder<number> = (value, path, issues) => {
  if (isEnvelopeTime(value)) return value
  issues.push({ path, message: `expected a time in epoch milliseconds from ${envelopeLimits.minTime} to ${envelopeLimits.maxTime}, got ${typeof value === 'number' ? String(value) : typeof value}` })
  return invalid
}
const position = integer()
const payload = json(limits.payloadDepth)
const supported = (value: unknown): value is ProtocolVersion => (protocolVersions as readonly unknown[]).includes(value)
const protocol: Decoder<ProtocolVersion> = (value, path, issues) => {
  if (supported(value)) return value
  issues.push({ path, message: `expected one of ${protocolVersions.join(', ')}, got ${JSON.stringify(value) ?? 'nothing'}` })
  return invalid
}

const errorNames: Record<ChronicleErrorName, true> = {
  ValidationError: true,
  RuleViolation: true,
  Unauthorized: true,
  ConcurrencyConflict: true,
  StorageError: true,
  HandlerError: true,
  ProjectionError: true,
  UndoConflict: true,
  TimeTravelActive: true,
  SyncRejected: true,
  SyncError: true,
  ConfigurationError: true,
  PositionError: true,
}

const syncErrorCodes: Record<SyncErrorCode, true> = {
  'malformed-json': true,
  'invalid-message': true,
  'unsupported-protocol': true,
  unauthenticated: true,
  forbidden: true,
  'payload-too-large': true,
  'rate-limited': true,
  'not-found': true,
  'method-not-allowed': true,
  unavailable: true,
  internal: true,
  network: true,
  timeout: true,
  'bad-response': true,
}

function oneOf<K extends string>(allowed: Record<K, true>): Decoder<K> {
  return (value, path, issues) => {
    if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(allowed, value)) return value as K
    issues.push({ path, message: `expected one of ${Object.keys(allowed).join(', ')}` })
    return invalid
  }
}

const schemaIssue: Decoder<SchemaIssue> = object({ message: string({ max: 10_000 }), path: string({ max: 10_000 }) })

const wireError: Decoder<WireError> = object(
  {
    code: oneOf(syncErrorCodes),
    message: string({ max: 10_000 }),
    issues: array(schemaIssue, { max: 1000 }),
    retryAfter: integer(),
  },
  ['issues', 'retryAfter'],
)

const serializedError: Decoder<SerializedChronicleError> = object(
  {
    name: oneOf(errorNames),
    code: string({ min: 1, max: limits.typeLength }),
    message: string({ max: 10_000 }),
    issues: array(schemaIssue, { max: 1000 }),
    detail: json(limits.payloadDepth),
  },
  ['issues', 'detail'],
)

/** Decodes one event envelope as the server log holds it. */
export const eventEnvelope: Decoder<EventEnvelope> = object({
  id,
  seq: integer({ min: 1 }),
  stream: string({ min: 1, max: limits.streamLength }),
  version: integer({ min: 1 }),
  type: string({ min: 1, max: limits.typeLength }),
  schemaVersion: integer({ min: 1, max: envelopeLimits.schemaVersion }),
  payload,
  meta: object({ commandId: id, causationId: id, correlationId: id, at: time, origin: string({ max: envelopeLimits.originLength }) }),
})

const events = array(eventEnvelope, { max: limits.eventsPerPage })

const pushHistory: Decoder<PushHistory> = object({ kind: oneOf({ undo: true, redo: true }), target: id })

const pushCommand: Decoder<PushCommand> = object(
  {
    commandId: id,
    type: string({ min: 1, max: limits.typeLength }),
    payload,
    at: time,
    causationId: id,
    correlationId: id,
    history: pushHistory,
  },
  ['causationId', 'correlationId', 'history'],
)

/** Checks the protocol version first, so a client of another version hears that and not a list of shape issues. */
function versioned<T>(decoder: Decoder<T>): Decoder<T> {
  return (value, path, issues) => {
    const version = typeof value === 'object' && value !== null ? (value as { protocol?: unknown }).protocol : undefined
    if (typeof version === 'number' && !supported(version)) {
      issues.push({ path: 'protocol', message: `unsupported protocol version ${version}; this peer speaks ${protocolVersions.join(' and ')}` })
      return invalid
    }
    return decoder(value, path, issues)
  }
}

const pushRequestShape = object({
  protocol,
  clientId: id,
  lastConfirmed: position,
  commands: array(pushCommand, { max: limits.commandsPerPush }),
})

/** `history` came with protocol 2: a version 1 push that carries it is refused, not half-understood. */
const pushRequest: Decoder<PushRequest> = versioned((value, path, issues) => {
  const request = pushRequestShape(value, path, issues)
  if (request === invalid || request.protocol >= 2) return request
  const misplaced = request.commands.flatMap((command, i) => (command.history ? [i] : []))
  for (const i of misplaced) issues.push({ path: `commands.${i}.history`, message: 'history needs protocol 2 or later' })
  return misplaced.length > 0 ? invalid : request
})

const commandResult: Decoder<CommandResult> = variant<CommandResult>('status', {
  ok: object({ commandId: id, status: literal('ok'), position, duplicate: boolean, events: array(eventEnvelope, { max: 100_000 }) }),
  rejected: object({ commandId: id, status: literal('rejected'), error: serializedError }),
})

const pushResponse: Decoder<PushResponse> = versioned(
  object(
    { protocol, results: array(commandResult, { max: limits.commandsPerPush }), head: position, incomplete: wireError },
    ['incomplete'],
  ),
)

const pullResponse: Decoder<PullResponse> = versioned(object({ protocol, events, next: position, head: position, more: boolean }))

const errorResponse: Decoder<ErrorResponse> = versioned(object({ protocol, error: wireError }))

const liveClientMessage: Decoder<LiveClientMessage> = versioned(
  object({ type: literal('hello'), protocol, token: string({ max: limits.tokenLength }), after: position }),
)

const liveServerMessage: Decoder<LiveServerMessage> = variant<LiveServerMessage>('type', {
  ready: object({ type: literal('ready'), head: position }),
  events: object({ type: literal('events'), events, after: position, next: position, head: position }),
  error: object({ type: literal('error'), error: wireError }),
})

/** True when the issues say the message was of another protocol version. */
export const isVersionMismatch = (issues: readonly SchemaIssue[]): boolean => issues.length === 1 && issues[0]!.path === 'protocol' && issues[0]!.message.startsWith('unsupported')

/**
 * Runtime checks for every protocol message. Each returns `{ ok: true, value }` with a fresh copy
 * holding only the protocol's fields, or `{ ok: false, issues }` listing every problem with its
 * path. They never throw, whatever they are given.
 *
 * @example
 * const decoded = decode.pushRequest(JSON.parse(body))
 * if (!decoded.ok) return reply(400, { code: 'invalid-message', issues: decoded.issues })
 */
export const decode = {
  pushRequest: (value: unknown): Decoded<PushRequest> => decodeWith(pushRequest, value),
  pushResponse: (value: unknown): Decoded<PushResponse> => decodeWith(pushResponse, value),
  pullResponse: (value: unknown): Decoded<PullResponse> => decodeWith(pullResponse, value),
  errorResponse: (value: unknown): Decoded<ErrorResponse> => decodeWith(errorResponse, value),
  liveClientMessage: (value: unknown): Decoded<LiveClientMessage> => decodeWith(liveClientMessage, value),
  liveServerMessage: (value: unknown): Decoded<LiveServerMessage> => decodeWith(liveServerMessage, value),
  eventEnvelope: (value: unknown): Decoded<EventEnvelope> => decodeWith(eventEnvelope, value),
}

/** Parses JSON text without throwing: `{ ok: false }` carries the parser's complaint as an issue. */
export function parseJson(text: string): Decoded<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (error) {
    return { ok: false, issues: [{ path: '', message: error instanceof Error ? error.message : String(error) }] }
  }
}

export type { Decoded }
