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

const marker = Symbol.for('@chronicle/error')

/**
 * Base class of every error Chronicle reports. `name` says which failure it is (one class per
 * failure) and `code` is a stable string to branch on; the message says what to do next.
 */
export class ChronicleError extends Error {
  override readonly name: ChronicleErrorName
  readonly code: string
  readonly [marker] = true

  constructor(name: ChronicleErrorName, code: string, message: string, options?: { cause?: unknown }) {
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

/** A command (or event) payload that its schema refused. `issues` lists what is wrong and where. */
export class ValidationError extends ChronicleError {
  readonly issues: readonly SchemaIssue[]
  constructor(code: string, message: string, issues: readonly SchemaIssue[] = []) {
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
export class ConcurrencyConflict extends ChronicleError {
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
export class StorageError extends ChronicleError {
  declare readonly code: StorageErrorCode
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super('StorageError', code, message, options)
  }
}

/** A command's `handle` threw something that is not a ChronicleError, or returned something that is not events. */
export class HandlerError extends ChronicleError {
  readonly issues: readonly SchemaIssue[]
  constructor(code: string, message: string, options?: { cause?: unknown; issues?: readonly SchemaIssue[] }) {
    super('HandlerError', code, message, options)
    this.issues = options?.issues ?? []
  }
}

/** A projection handler threw; that read model stopped at the event before, the others carry on. */
export class ProjectionError extends ChronicleError {
  readonly projection: string
  readonly eventId: string | undefined
  constructor(projection: string, message: string, options?: { cause?: unknown; eventId?: string; code?: string }) {
    super('ProjectionError', options?.code ?? 'projection-failed', message, options)
    this.projection = projection
    this.eventId = options?.eventId
  }
}

/** An undo or redo was refused: a later command wrote to the same stream, or the command is out of reach. */
export class UndoConflict extends ChronicleError {
  /** The later command that blocks the undo, when that is the reason. */
  readonly blockingCommandId: string | undefined
  constructor(code: string, message: string, blockingCommandId?: string) {
    super('UndoConflict', code, message)
    this.blockingCommandId = blockingCommandId
  }
}

/** The store is showing a past position (`store.travel(position)`); commands wait for `travel(null)`. */
export class TimeTravelActive extends ChronicleError {
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
}

/**
 * Rebuilds an error from its wire form (`toJSON()`), as the class it was: a RuleViolation the
 * sync server reported reaches the app as a RuleViolation with the same code.
 */
export function errorFromJSON(json: SerializedChronicleError): ChronicleError {
  switch (json.name) {
    case 'ValidationError':
      return new ValidationError(json.code, json.message, json.issues ?? [])
    case 'RuleViolation':
      return new RuleViolation(json.code, json.message, json.detail)
    case 'Unauthorized':
      return new Unauthorized(json.code, json.message)
    case 'StorageError':
      return new StorageError(json.code as StorageErrorCode, json.message)
    case 'UndoConflict':
      return new UndoConflict(json.code, json.message)
    case 'HandlerError':
      return new HandlerError(json.code, json.message, { issues: json.issues ?? [] })
    default:
      return new ChronicleError(json.name, json.code, json.message)
  }
}
