import { ValidationError } from './errors'
import type { EventEnvelope } from './event'
import type { SchemaIssue } from './standardSchema'

/**
 * The ranges every event envelope keeps: what the store writes, what it accepts from a sync
 * server, and what @chronicle/sync's protocol checks on the wire. `at` stays inside the range of
 * JavaScript dates, so `new Date(at).toISOString()` never throws on a stored event.
 */
export const envelopeLimits = {
  /** Length of ids: event ids, `commandId`, `causationId`, `correlationId`. */
  idLength: 200,
  /** Length of event and command type names. */
  typeLength: 200,
  /** Length of stream names. */
  streamLength: 1000,
  /** Length of `meta.origin`. */
  originLength: 200,
  /** Largest `schemaVersion`. */
  schemaVersion: 2 ** 31 - 1,
  /** Earliest `meta.at` (epoch ms): 1970-01-01. */
  minTime: 0,
  /** Latest `meta.at` (epoch ms): the last moment a JavaScript Date can hold (+275760-09-13). */
  maxTime: 8.64e15,
} as const

/** True when `at` is a time (epoch ms) an envelope may carry. */
export function isEnvelopeTime(at: unknown): at is number {
  return typeof at === 'number' && Number.isFinite(at) && at >= envelopeLimits.minTime && at <= envelopeLimits.maxTime
}

const text = (value: unknown, min: number, max: number) => typeof value === 'string' && value.length >= min && value.length <= max
const count = (value: unknown, min: number, max = Number.MAX_SAFE_INTEGER) => typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max

/**
 * What is wrong with an envelope's fields (not its payload, which its event's schema checks),
 * path by path; empty when nothing is. `seq` is checked when present (events not yet in a log
 * have none).
 *
 * @example
 * const issues = envelopeIssues(event)
 * if (issues.length > 0) throw new ValidationError('invalid-event', `...`, issues)
 */
export function envelopeIssues(envelope: Partial<EventEnvelope> | null | undefined, path = ''): SchemaIssue[] {
  const issues: SchemaIssue[] = []
  const at = (key: string) => (path === '' ? key : `${path}.${key}`)
  const need = (ok: boolean, key: string, message: string) => void (ok || issues.push({ path: at(key), message }))
  if (typeof envelope !== 'object' || envelope === null) return [{ path, message: 'expected an event envelope (an object)' }]
  const { idLength, typeLength, streamLength, originLength, schemaVersion, minTime, maxTime } = envelopeLimits
  need(text(envelope.id, 1, idLength), 'id', `expected a string of 1 to ${idLength} characters`)
  need(envelope.seq === undefined || count(envelope.seq, 0), 'seq', 'expected a non-negative safe integer')
  need(text(envelope.stream, 1, streamLength), 'stream', `expected a string of 1 to ${streamLength} characters`)
  need(count(envelope.version, 1), 'version', 'expected a safe integer from 1')
  need(text(envelope.type, 1, typeLength), 'type', `expected a string of 1 to ${typeLength} characters`)
  need(count(envelope.schemaVersion, 1, schemaVersion), 'schemaVersion', `expected an integer from 1 to ${schemaVersion}`)
  const meta = envelope.meta
  if (typeof meta !== 'object' || meta === null) {
    issues.push({ path: at('meta'), message: 'expected an object' })
    return issues
  }
  for (const key of ['commandId', 'causationId', 'correlationId'] as const) need(text(meta[key], 1, idLength), `meta.${key}`, `expected a string of 1 to ${idLength} characters`)
  need(isEnvelopeTime(meta.at), 'meta.at', `expected a time in epoch milliseconds from ${minTime} to ${maxTime}, got ${String(meta.at)}`)
  need(text(meta.origin, 0, originLength), 'meta.origin', `expected a string of at most ${originLength} characters`)
  return issues
}

/**
 * Refuses dispatch options an envelope could not carry (an `at` outside the dates, ids too long
 * or empty) with ValidationError `invalid-command`, before anything runs.
 */
export function checkCommandOptions(type: string, options: { readonly commandId?: unknown; readonly causationId?: unknown; readonly correlationId?: unknown; readonly at?: unknown }): void {
  const issues: SchemaIssue[] = []
  const { idLength, minTime, maxTime } = envelopeLimits
  for (const key of ['commandId', 'causationId', 'correlationId'] as const) {
    const value = options[key]
    if (value !== undefined && !text(value, 1, idLength)) issues.push({ path: `options.${key}`, message: `expected a string of 1 to ${idLength} characters` })
  }
  if (options.at !== undefined && !isEnvelopeTime(options.at)) issues.push({ path: 'options.at', message: `expected a time in epoch milliseconds from ${minTime} to ${maxTime}, got ${String(options.at)}` })
  if (issues.length > 0) {
    throw new ValidationError('invalid-command', `The options of ${type} cannot go into an event envelope: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}. Nothing was written.`, issues)
  }
}
