import { ChronicleError, isChronicleError, type SchemaIssue } from '@chronicle/core'
import { type SerializedChronicleError } from '@chronicle/core/sync'
import type { SyncErrorCode, WireError } from './protocol'

/** Codes after which trying the same request again later can succeed. */
const retryableCodes: ReadonlySet<SyncErrorCode> = new Set(['rate-limited', 'unavailable', 'internal', 'network', 'timeout'])

/**
 * A sync request failed as a whole: the network, the server's answer, or a protocol-level refusal
 * (`unauthenticated`, `payload-too-large`, `rate-limited`, ...). Commands the server refused are
 * not SyncErrors: they come back as their own classes (RuleViolation, ValidationError, ...).
 *
 * @example
 * try { await client.push(request) } catch (e) {
 *   if (isSyncError(e) && e.retryable) setTimeout(retry, e.retryAfter ?? 1000)
 * }
 */
export class SyncError extends ChronicleError {
  declare readonly code: SyncErrorCode
  /** The HTTP status of the server's answer, when there was one. */
  readonly status: number | undefined
  /** True when the same request can succeed later (network, timeouts, 5xx, rate limits). */
  readonly retryable: boolean
  /** Milliseconds the server asked to wait before trying again. */
  readonly retryAfter: number | undefined
  readonly issues: readonly SchemaIssue[]

  constructor(code: SyncErrorCode, message: string, options: { status?: number; retryAfter?: number; issues?: readonly SchemaIssue[]; cause?: unknown } = {}) {
    super('SyncError', code, message, options.cause === undefined ? undefined : { cause: options.cause })
    this.status = options.status
    this.retryAfter = options.retryAfter
    this.issues = options.issues ?? []
    this.retryable = retryableCodes.has(code) || (options.status !== undefined && options.status >= 500)
  }

  /** The error as it travels in an `ErrorResponse` or a live `error` message. */
  toWire(): WireError {
    return {
      code: this.code,
      message: this.message,
      ...(this.issues.length > 0 ? { issues: this.issues } : {}),
      ...(this.retryAfter !== undefined ? { retryAfter: this.retryAfter } : {}),
    }
  }

  override toJSON(): SerializedChronicleError {
    return this.issues.length > 0 ? { ...super.toJSON(), issues: this.issues } : super.toJSON()
  }

  /** Rebuilds a SyncError from a wire error (and the HTTP status it came with). */
  static fromWire(error: WireError, status?: number): SyncError {
    return new SyncError(error.code, error.message, {
      ...(status !== undefined ? { status } : {}),
      ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}),
      ...(error.issues ? { issues: error.issues } : {}),
    })
  }
}

/** True when `error` is a SyncError (works across bundle copies, where `instanceof` does not). */
export function isSyncError(error: unknown): error is SyncError {
  return isChronicleError(error, 'SyncError')
}
