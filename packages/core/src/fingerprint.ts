import type { AnyAggregateDefinition } from './aggregate'
/**
 * What a command asked for, as one short string: its type and payload (or, for an undo or redo,
 * which command it takes back or brings back). Stored beside an idempotent command's id, so a
 * repeat of the id with another request is told apart from a retry of the same one.
 *
 * The payload is written out canonically first (object keys sorted, so `{ a, b }` and `{ b, a }`
 * agree; Dates as their ISO text, Maps and Sets as their entries), then hashed to 64 bits with two
 * independent 32-bit lanes. That is cheap next to the append and tells every honest mistake apart;
 * it is not a cryptographic hash, and does not need to be: a forged collision only earns its
 * sender the duplicate answer to a command it already knows in full. The `v1:` prefix names the
 * method: a later method gets another prefix, and a stored fingerprint of an unknown method is
 * treated like none (the repeat is accepted as a duplicate).
 *
 * @example
 * commandFingerprint('addCard', { cardId: 'c1', title: 'a' }) === commandFingerprint('addCard', { title: 'a', cardId: 'c1' }) // true
 */
export function commandFingerprint(type: string, payload: unknown, history?: { readonly kind: string; readonly target: string }): string {
  // An undo or redo is defined by its target alone: its type and (null) payload say nothing more.
  const text = history ? `history\u0000${history.kind}\u0000${history.target}` : `command\u0000${type}\u0000${canonical(payload, 0)}`
  return `${fingerprintPrefix}${hash(text)}`
}

/** The prefix of fingerprints made by `commandFingerprint`'s current method. */
export const fingerprintPrefix = 'v1:'

/**
 * True when a stored fingerprint proves that a repeat of its commandId asks for something else.
 * No stored fingerprint (a command recorded before fingerprints existed, or recorded from the
 * sync server's confirmations) or one of another method proves nothing: the repeat is a duplicate.
 */
export function fingerprintDiffers(stored: string | undefined, current: string | undefined): boolean {
  return stored !== undefined && current !== undefined && stored.startsWith(fingerprintPrefix) && stored !== current
}

/** Deeper than this, the rest of a payload is summarised (a payload that deep is refused elsewhere). */
const maxDepth = 100

function canonical(value: unknown, depth: number): string {
  if (value === undefined) return 'u'
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') return `n${String(value)}`
  if (typeof value === 'bigint') return `b${value.toString()}`
  if (typeof value !== 'object') return `?${typeof value}`
  if (depth >= maxDepth) return '…'
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item, depth + 1)).join(',')}]`
  if (value instanceof Date) return `d${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()}`
  if (value instanceof Map) return `m${canonical([...value.entries()].map(([k, v]): [string, unknown] => [canonical(k, depth + 1), v]).sort(byFirst), depth + 1)}`
  if (value instanceof Set) return `s${canonical([...value].map((item) => canonical(item, depth + 1)).sort(), depth + 1)}`
  const keys = Object.keys(value).sort()
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key], depth + 1)}`).join(',')}}`
}

const byFirst = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)

/** 64 bits as 16 hex digits: two 32-bit multiply-xor lanes with different seeds over the UTF-16 units. */
/**
 * What folds an aggregate's states, as one short string: its name, the source of `initial` and of
 * every `evolve` handler, and each event type's schema version and upcasters. A state the write
 * model saved is used again only under the same fingerprint: after a deploy that changed how the
 * aggregate folds (or a minifier that renamed its code), the streams are folded again from the log.
 */
export function aggregateFingerprint(aggregate: AnyAggregateDefinition): string {
  const parts = [aggregate.name, String(aggregate.initial)]
  const evolve = aggregate.evolve as Readonly<Record<string, unknown>>
  for (const type of Object.keys(evolve).sort()) parts.push(type, String(evolve[type]))
  for (const event of aggregate.events) {
    parts.push(event.type, String(event.schemaVersion))
    for (const from of Object.keys(event.upcasters).sort()) parts.push(from, String(event.upcasters[Number(from)]))
  }
  return hash(parts.join('\u0000'))
}

function hash(text: string): string {
  let h1 = 0xdeadbeef ^ text.length
  let h2 = 0x41c6ce57 ^ text.length
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ unit, 2654435761)
    h2 = Math.imul(h2 ^ unit, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0')
}
