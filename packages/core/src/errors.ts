import type { SchemaIssue } from './standardSchema'

/** The names of every error class Chronicle throws; `isChronicleError(e, name)` narrows by them. */
export type ChronicleErrorName =
  | 'ValidationError'
  | 'RuleViolation'
  | 'Unauthorized'
  | 'ConcurrencyConflict'
  | 'StorageError'
  | 'HandlerError'
  | 'ProjectionError'
  | 'UndoConflict'
  | 'TimeTravelActive'
  | 'SyncRejected'
  | 'SyncError'
  | 'ConfigurationError'
  | 'PositionError'

const marker = Symbol.for('@chronicle/error')

/**
 * Base class of every error Chronicle reports. `name` says which failure it is (one class per
 * failure) and `code` is a stable string to branch on; the message says what to do next.
 */
export class ChronicleError<Code extends string = string> extends Error {
  override readonly name: ChronicleErrorName
  readonly code: Code
  readonly [marker] = true

  constructor(name: ChronicleErrorName, code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = name
    this.code = code
  }

  /** A plain object for logs and the wire; `ChronicleError.fromJSON` gives the class back. */
  toJSON(): SerializedChronicleError {
    return { name: this.name, code: this.code, message: this.message }
  }
}

/** The wire form of a ChronicleError. */
export interface SerializedChronicleError {
  readonly name: ChronicleErrorName
  readonly code: string
  readonly message: string
  readonly issues?: readonly SchemaIssue[]
  readonly detail?: unknown
}

/**
 * Codes of ValidationError: `invalid-command` (its schema refused the payload), `unknown-command`
 * (the store was not given its definition), `idempotency-key-reused` (a commandId already taken by
 * another command), `invalid-event` and `invalid-envelope` (an event or envelope field out of
 * range), `invalid-bundle` and `log-not-empty` (a devtools repro bundle that cannot be imported).
 */
export type ValidationErrorCode = 'invalid-command' | 'unknown-command' | 'idempotency-key-reused' | 'invalid-event' | 'invalid-envelope' | 'invalid-bundle' | 'log-not-empty'

/** A command (or event) payload that its schema refused. `issues` lists what is wrong and where. */
export class ValidationError extends ChronicleError<ValidationErrorCode> {
  readonly issues: readonly SchemaIssue[]
  constructor(code: ValidationErrorCode, message: string, issues: readonly SchemaIssue[] = []) {
    super('ValidationError', code, message)
    this.issues = issues
  }
  override toJSON(): SerializedChronicleError {
    return { ...super.toJSON(), issues: this.issues }
  }
}

/**
 * A command came with a commandId that an earlier command of another type or payload already
 * used: idempotency keys identify one request, so this is refused and nothing is written (the
 * earlier command stays as it was). A retry of the very same command still answers
 * `duplicate: true`. Code `idempotency-key-reused`.
 *
 * @example
 * if (isChronicleError(e, 'ValidationError') && e.code === 'idempotency-key-reused') dispatch(addCard(input)) // with a fresh id
 */
export function idempotencyKeyReused(commandId: string): ValidationError {
  return new ValidationError(
    'idempotency-key-reused',
    `The commandId ${JSON.stringify(commandId)} is already taken by another command (another type, stream or payload); nothing was written. Give every new command its own commandId; repeat an id only to retry exactly the same command.`,
  )
}

/**
 * A business rule refused the command. Throw it from a command's `handle`:
 *
 * @example
 * if (state.cards[cmd.cardId]) throw new RuleViolation('card-exists', `Card ${cmd.cardId} already exists`)
 */
export class RuleViolation extends ChronicleError {
  readonly detail: unknown
  constructor(code: string, message: string, detail?: unknown) {
    super('RuleViolation', code, message)
    this.detail = detail
  }
  override toJSON(): SerializedChronicleError {
    return this.detail === undefined ? super.toJSON() : { ...super.toJSON(), detail: this.detail }
  }
}

/** The command's `authorize` check refused the current principal. */
export class Unauthorized extends ChronicleError {
  constructor(code: string, message: string) {
    super('Unauthorized', code, message)
  }
}

/** Other writers kept changing the command's stream; the command was retried and then given up. */
export class ConcurrencyConflict extends ChronicleError<'concurrency-conflict'> {
  readonly stream: string
  constructor(stream: string, attempts: number) {
    super(
      'ConcurrencyConflict',
      'concurrency-conflict',
      `Stream "${stream}" changed under the command ${attempts} times in a row; nothing was written. Dispatch it again.`,
    )
    this.stream = stream
  }
}

/** Codes of StorageError: each names what went wrong with the browser's storage. */
export type StorageErrorCode =
  | 'quota-exceeded'
  | 'blocked'
  | 'version-change'
  | 'deleted'
  | 'closed'
  | 'aborted'
  | 'unavailable'
  | 'corrupt'
  | 'failed'

/** The event log's storage failed; nothing of the failing command was written. */
export class StorageError extends ChronicleError<StorageErrorCode> {
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super('StorageError', code, message, options)
  }
}

/** Codes of HandlerError: which piece of domain code misbehaved, and how. */
export type HandlerErrorCode =
  | 'handler-threw'
  | 'async-handler'
  | 'invalid-event'
  | 'unstorable-event'
  | 'authorize-failed'
  | 'stream-failed'
  | 'invalid-stream'
  | 'evolve-threw'
  | 'reaction-failed'

/** A command's `handle` threw something that is not a ChronicleError, or returned something that is not events. */
export class HandlerError extends ChronicleError<HandlerErrorCode> {
  readonly issues: readonly SchemaIssue[]
  constructor(code: HandlerErrorCode, message: string, options?: { cause?: unknown; issues?: readonly SchemaIssue[] }) {
    super('HandlerError', code, message, options)
    this.issues = options?.issues ?? []
  }
}

/**
 * Codes of ProjectionError: `projection-failed` (a handler threw), `compacted` (the projection's
 * version changed after the log was compacted, so it cannot be rebuilt).
 */
export type ProjectionErrorCode = 'projection-failed' | 'compacted'

/** A projection handler threw; that read model stopped at the event before, the others carry on. */
export class ProjectionError extends ChronicleError<ProjectionErrorCode> {
  readonly projection: string
  readonly eventId: string | undefined
  constructor(projection: string, message: string, options?: { cause?: unknown; eventId?: string; code?: ProjectionErrorCode }) {
    super('ProjectionError', options?.code ?? 'projection-failed', message, options)
    this.projection = projection
    this.eventId = options?.eventId
  }
}

/** Codes of UndoConflict: why an undo or redo was refused. */
export type UndoConflictCode = 'later-command' | 'already-undone' | 'not-undone' | 'unknown-command' | 'nothing-to-undo' | 'nothing-to-redo'

/** An undo or redo was refused: a later command wrote to the same stream, or the command is out of reach. */
export class UndoConflict extends ChronicleError<UndoConflictCode> {
  /** The later command that blocks the undo, when that is the reason. */
  readonly blockingCommandId: string | undefined
  constructor(code: UndoConflictCode, message: string, blockingCommandId?: string) {
    super('UndoConflict', code, message)
    this.blockingCommandId = blockingCommandId
  }
}

/** The store is showing a past position (`store.travel(position)`); commands wait for `travel(null)`. */
export class TimeTravelActive extends ChronicleError<'time-travel-active'> {
  constructor(position: number) {
    super('TimeTravelActive', 'time-travel-active', `The store is showing log position ${position}; call store.travel(null) to return to live before dispatching.`)
  }
}

/**
 * The sync server refused a command that this client had already applied provisionally; it was
 * rolled back. `reason` is the server's error (a RuleViolation, Unauthorized, ValidationError...).
 */
export class SyncRejected extends ChronicleError {
  readonly commandId: string
  readonly reason: ChronicleError
  constructor(commandId: string, reason: ChronicleError) {
    super('SyncRejected', reason.code, `The server rejected command ${commandId}: ${reason.message}. Its changes were rolled back.`, { cause: reason })
    this.commandId = commandId
    this.reason = reason
  }
}

/**
 * Codes of ConfigurationError: what is wrong with the definitions or options the app passed.
 * `duplicate-command`, `duplicate-projection`, `unknown-projection`, `invalid-definition`,
 * `invalid-option`, `invalid-connector`, `no-outbox` (sync needs a storage with an outbox),
 * `unknown-stream` (compaction met a stream of no aggregate the store knows).
 */
export type ConfigurationErrorCode =
  | 'duplicate-command'
  | 'duplicate-projection'
  | 'unknown-projection'
  | 'invalid-definition'
  | 'invalid-option'
  | 'invalid-connector'
  | 'no-outbox'
  | 'unknown-stream'

/**
 * A mistake in how the app set Chronicle up (its definitions, `createStore` options, a projection
 * the store was not given): thrown at once, with a message that says what to change. Nothing was
 * written.
 *
 * @example
 * createStore({ name: 'app', commands: [addCard, addCard] }) // ConfigurationError duplicate-command
 */
export class ConfigurationError extends ChronicleError<ConfigurationErrorCode> {
  constructor(code: ConfigurationErrorCode, message: string) {
    super('ConfigurationError', code, message)
  }
}

/**
 * Codes of PositionError: `invalid-position` (not a log position: below 0, past the head, not a
 * whole number), `compacted` (before the compaction horizon, where the log no longer reaches).
 */
export type PositionErrorCode = 'invalid-position' | 'compacted'

/** A log position the log cannot serve (`travel`, `stateAt`, `settled`, `compact`). */
export class PositionError extends ChronicleError<PositionErrorCode> {
  constructor(code: PositionErrorCode, message: string) {
    super('PositionError', code, message)
  }
}

/**
 * True when `error` is a Chronicle error (of the given class, when `name` is passed). Works across
 * bundle copies, where `instanceof` does not.
 *
 * @example
 * if (isChronicleError(e, 'RuleViolation') && e.code === 'wip-limit') showNotice(e.message)
 */
export function isChronicleError<N extends ChronicleErrorName>(
  error: unknown,
  name?: N,
): error is ChronicleErrorByName[N] {
  if (typeof error !== 'object' || error === null || !(marker in error)) return false
  return name === undefined || (error as ChronicleError).name === name
}

interface ChronicleErrorByName {
  ValidationError: ValidationError
  RuleViolation: RuleViolation
  Unauthorized: Unauthorized
  ConcurrencyConflict: ConcurrencyConflict
  StorageError: StorageError
  HandlerError: HandlerError
  ProjectionError: ProjectionError
  UndoConflict: UndoConflict
  TimeTravelActive: TimeTravelActive
  SyncRejected: SyncRejected
  SyncError: ChronicleError
  ConfigurationError: ConfigurationError
  PositionError: PositionError
}

/**
 * Rebuilds an error from its wire form (`toJSON()`), as the class it was: a RuleViolation the
 * sync server reported reaches the app as a RuleViolation with the same code.
 */
export function errorFromJSON(json: SerializedChronicleError): ChronicleError {
  switch (json.name) {
    case 'ValidationError':
      return new ValidationError(json.code as ValidationErrorCode, json.message, json.issues ?? [])
    case 'RuleViolation':
      return new RuleViolation(json.code, json.message, json.detail)
    case 'Unauthorized':
      return new Unauthorized(json.code, json.message)
    case 'StorageError':
      return new StorageError(json.code as StorageErrorCode, json.message)
    case 'UndoConflict':
      return new UndoConflict(json.code as UndoConflictCode, json.message)
    case 'HandlerError':
      return new HandlerError(json.code as HandlerErrorCode, json.message, { issues: json.issues ?? [] })
    case 'ConfigurationError':
      return new ConfigurationError(json.code as ConfigurationErrorCode, json.message)
    case 'PositionError':
      return new PositionError(json.code as PositionErrorCode, json.message)
    default:
      return new ChronicleError(json.name, json.code, json.message)
  }
}
