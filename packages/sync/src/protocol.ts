import { envelopeLimits } from '@chronicle/core/sync'
import { type EventEnvelope, type SchemaIssue } from '@chronicle/core'
import { type SerializedChronicleError } from '@chronicle/core/sync'

/**
 * The wire protocol's current version; clients send it. Every message carries its version; a
 * peer answers a message of a version it does not speak with `unsupported-protocol`, so old
 * clients learn to update instead of misbehaving.
 *
 * - 1: push, pull, live.
 * - 2: pushed commands may carry `history` (undo and redo through sync).
 */
export const protocolVersion = 2

/**
 * Every version this package speaks. A server answers each request in the request's version
 * (a pull names it in `?protocol=`, default 1), so clients of version 1 keep working.
 */
export const protocolVersions = [1, 2] as const

/** A protocol version this package speaks. */
export type ProtocolVersion = (typeof protocolVersions)[number]

/** Limits every peer enforces on what it receives. */
export const protocolLimits = {
  /** Length of ids (commandId, clientId, causationId, correlationId, event ids). */
  idLength: envelopeLimits.idLength,
  /** Length of command and event type names. */
  typeLength: envelopeLimits.typeLength,
  /** Length of stream names. */
  streamLength: envelopeLimits.streamLength,
  /** Commands in one push. */
  commandsPerPush: 1000,
  /** Events in one pull page or live message. */
  eventsPerPage: 1000,
  /** Nesting depth of payloads. */
  payloadDepth: 64,
  /** Length of a bearer token in a live `hello`. */
  tokenLength: 4096,
} as const

/** HTTP paths of the protocol, relative to the server's base URL. */
export const protocolPaths = {
  push: '/v1/push',
  events: '/v1/events',
  live: '/v1/live',
  health: '/v1/health',
} as const

/** One command the client executed locally and asks the server to execute authoritatively. */
export interface PushCommand {
  /** Makes the push idempotent: the server executes a commandId once and answers repeats with the first result. */
  readonly commandId: string
  readonly type: string
  /** The command's payload as the client dispatched it; the server validates it with the command's schema. */
  readonly payload: unknown
  /** When the command was issued (epoch ms); handlers see it as `context.at`. */
  readonly at: number
  readonly causationId?: string
  readonly correlationId?: string
  /**
   * Protocol 2: an undo or redo of the command `target` (any client's) instead of a command of
   * its own. `type` is then the target's command type and `payload` is null; the server runs it
   * with core's `store.undoCommand(target, { kind, commandId })`, with the usual conflict checks.
   */
  readonly history?: PushHistory
}

/** What an undo or redo pushed through sync takes back or brings back. */
export interface PushHistory {
  readonly kind: 'undo' | 'redo'
  /** The commandId of the command whose events are taken back (undo) or brought back (redo). */
  readonly target: string
}

/** `POST /v1/push`: a batch of pending commands, in the order the client issued them. */
export interface PushRequest {
  readonly protocol: ProtocolVersion
  /** Identifies the client (a device or browser profile) in the server's logs. */
  readonly clientId: string
  /** The last server position the client has applied (0 when none). */
  readonly lastConfirmed: number
  readonly commands: readonly PushCommand[]
}

/** A command the server executed (now, or earlier when `duplicate`), with the events it wrote. */
export interface CommandAccepted {
  readonly commandId: string
  readonly status: 'ok'
  /** The server log position of the command's last event (the log head then, when it wrote none). */
  readonly position: number
  /** True when the server had executed this commandId before; `events` are that first execution's. */
  readonly duplicate: boolean
  /** The confirmed events, as the server log holds them (those the principal may read). */
  readonly events: readonly EventEnvelope[]
}

/** A command the server refused: validation, authorization or a business rule. Nothing was written. */
export interface CommandRejected {
  readonly commandId: string
  readonly status: 'rejected'
  /** The typed error; `errorFromJSON` from @chronicle/core rebuilds its class. */
  readonly error: SerializedChronicleError
}

/** The outcome of one pushed command. */
export type CommandResult = CommandAccepted | CommandRejected

/**
 * The answer to a push. `results` covers a prefix of the pushed commands, in order: when the
 * server could not finish (storage unavailable, shutting down, a stream too contended), it stops,
 * says why in `incomplete`, and the client pushes the remaining commands again later.
 */
export interface PushResponse {
  readonly protocol: ProtocolVersion
  readonly results: readonly CommandResult[]
  /** The server log head after the push. */
  readonly head: number
  readonly incomplete?: WireError
}

/** `GET /v1/events?after=N&limit=M&protocol=V`: confirmed events after a position, filtered to what the principal may read. */
export interface PullResponse {
  readonly protocol: ProtocolVersion
  readonly events: readonly EventEnvelope[]
  /** Pass as `after` to continue. It can be past the last returned event when events were filtered out. */
  readonly next: number
  readonly head: number
  /** True when the log holds events after `next`. */
  readonly more: boolean
}

/** The stable codes of protocol-level failures. */
export type SyncErrorCode =
  /** The body is not JSON. */
  | 'malformed-json'
  /** The JSON does not have the protocol's shape; `issues` says where. */
  | 'invalid-message'
  | 'unsupported-protocol'
  /** No bearer token, or one the server does not accept. */
  | 'unauthenticated'
  /** The principal may not do this (e.g. a WebSocket from a disallowed origin). */
  | 'forbidden'
  | 'payload-too-large'
  /** Too many commands from this principal; `retryAfter` says when to try again. */
  | 'rate-limited'
  | 'not-found'
  | 'method-not-allowed'
  /** The server cannot serve now (shutting down, storage down, contention); try again later. */
  | 'unavailable'
  | 'internal'
  /** Client side: the request did not reach the server or its answer was lost. */
  | 'network'
  /** Client side: the server took longer than the client's timeout. */
  | 'timeout'
  /** Client side: the server's answer does not follow the protocol. */
  | 'bad-response'

/** A protocol-level failure on the wire. */
export interface WireError {
  readonly code: SyncErrorCode
  readonly message: string
  readonly issues?: readonly SchemaIssue[]
  /** Milliseconds to wait before trying again (rate limits). */
  readonly retryAfter?: number
}

/** The body of every HTTP error answer. */
export interface ErrorResponse {
  readonly protocol: ProtocolVersion
  readonly error: WireError
}

/** The first (and only) message a client sends on the live WebSocket. */
export interface LiveHello {
  readonly type: 'hello'
  readonly protocol: ProtocolVersion
  /** The bearer token (browsers cannot set headers on WebSockets). */
  readonly token: string
  /** Send events after this position. */
  readonly after: number
}

/** What the client sends on the live WebSocket. */
export type LiveClientMessage = LiveHello

/** What the server sends on the live WebSocket. */
export type LiveServerMessage =
  /** Authenticated; events follow as they are committed. */
  | { readonly type: 'ready'; readonly head: number }
  /**
   * Confirmed events with `after < seq <= next` (filtered per principal); `next` is the position to
   * resume after. A client whose position is before `after` missed something and reconnects.
   */
  | { readonly type: 'events'; readonly events: readonly EventEnvelope[]; readonly after: number; readonly next: number; readonly head: number }
  /** The server closes the socket after this. */
  | { readonly type: 'error'; readonly error: WireError }

/** WebSocket close codes the server uses besides the standard ones. */
export const liveCloseCodes = {
  /** The hello was missing, malformed or of another protocol version. */
  invalidHello: 4400,
  unauthenticated: 4401,
  forbidden: 4403,
  /** The client did not read its messages fast enough; resume with a pull. */
  slowConsumer: 4408,
} as const
