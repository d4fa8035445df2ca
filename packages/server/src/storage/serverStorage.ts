import { fingerprintDiffers } from '@chronicle/core/sync'
import { HandlerError, type EventEnvelope, type StorageBackend } from '@chronicle/core'
import { type FoundCommand } from '@chronicle/core/storage'
import { type AppendCommand, type AppendOutcome, type EventLogStorage } from '@chronicle/core/storage'
import type { RateLimitStore } from '../rateLimit'

/**
 * An event log on the server. Besides core's storage contract it tells when the log grew, so the
 * live WebSocket can fan new events out: after this process's own commits, and on PostgreSQL
 * after other processes' commits too (LISTEN/NOTIFY).
 */
export interface ServerEventLog extends EventLogStorage {
  /** Calls `listener` with the log head after commits; returns the unsubscribe function. */
  onAppended(listener: (head: number) => void): () => void
  /**
   * Where a command that ran before ended in the log (its last event's seq, or the head then when
   * it wrote none) and its fingerprint; undefined when no command with this id has been appended.
   */
  findCommand(commandId: string): Promise<FoundCommand | undefined>
  /** `findCommand` for many ids in one read: the ones the log holds. */
  findCommands(commandIds: readonly string[]): Promise<Map<string, FoundCommand>>
  /**
   * `readLog` of the events whose scope is one of `scopes` (`''` for unscoped ones), by the indexed
   * scope column: what a principal of those scopes may see, without reading other tenants' events.
   * Only meaningful when the log was opened with `scopeOf`.
   */
  readScoped(after: number, range: { readonly to: number; readonly limit: number }, scopes: readonly string[]): Promise<EventEnvelope[]>
  /** Rate-limit buckets every process on this database shares (PostgreSQL); none: kept in memory. */
  readonly rateLimits?: RateLimitStore
}

/** How the server opens a log. */
export interface ServerLogOptions {
  /**
   * The scope (tenant) of a stream's events, stored with each one in an indexed column; null or
   * missing for unscoped events (stored as `''`). Events stored before, or without it, are
   * given theirs when a log is opened with it.
   */
  readonly scopeOf?: (stream: string) => string | null
}

/** A stream's scope as stored: `''` when unscoped; null when the log keeps no scopes. */
export function scopeColumn(scopeOf: ServerLogOptions['scopeOf'], stream: string): string | null {
  return scopeOf ? (scopeOf(stream) ?? '') : null
}

/** A storage backend for `createSyncServer({ store })`: `sqliteStorage()` or `postgresStorage()`. */
export interface ServerStorageBackend extends StorageBackend {
  /**
   * True when several server processes may append to one log (PostgreSQL): the server's store
   * then catches its cached stream states up with the log before each batch (`sharedLog`).
   */
  readonly shared?: boolean
  open(name: string, options?: ServerLogOptions): Promise<ServerEventLog>
}

/** What one command of an append batch occupies in the log. */
export interface CommandRecord {
  readonly commandId: string
  /** The seq of its last event (the log head at the time, when it wrote none). */
  readonly position: number
  readonly count: number
  /** What it asked for (`AppendCommand.fingerprint`), null for commands appended without an id. */
  readonly fingerprint: string | null
}

/** The writes an append batch decided on, and each command's outcome. */
export interface AppendPlan {
  readonly outcomes: AppendOutcome[]
  readonly events: EventEnvelope[]
  readonly commands: CommandRecord[]
}

/**
 * Decides an append batch the way core's storages do: idempotent commands already recorded (or
 * earlier in the batch) are duplicates, a command whose stream moved is a conflict, the rest get
 * consecutive seqs after `head`. Pure: the storage reads `versions` and `recorded` and writes the
 * plan in one transaction.
 */
export function planAppend(
  commands: readonly AppendCommand[],
  head: number,
  versions: ReadonlyMap<string, number>,
  recorded: ReadonlyMap<string, FoundCommand>,
): AppendPlan {
  const streamVersions = new Map(versions)
  const seen = new Map(recorded)
  // Streams a command of this batch lost: the batch's later commands on them were decided on top of
  // it, and conflict too, even where the versions happen to line up again.
  const lost = new Set<string>()
  const plan: AppendPlan = { outcomes: [], events: [], commands: [] }
  let seq = head
  for (const command of commands) {
    const earlier = command.idempotent ? seen.get(command.commandId) : undefined
    if (earlier !== undefined) {
      plan.outcomes.push(fingerprintDiffers(earlier.fingerprint, command.fingerprint) ? { status: 'reused' } : { status: 'duplicate', position: earlier.position })
      // Its events, decided again, are not written: what the batch decided after it on its stream assumed them.
      if (command.events.length > 0) lost.add(command.stream)
      continue
    }
    const current = streamVersions.get(command.stream) ?? 0
    if (current !== command.expectedVersion || lost.has(command.stream)) {
      lost.add(command.stream)
      plan.outcomes.push({ status: 'conflict', actualVersion: current })
      continue
    }
    const written = command.events.map((event) => ({ ...event, seq: ++seq }))
    plan.events.push(...written)
    plan.outcomes.push({ status: 'ok', events: written })
    if (!seen.has(command.commandId)) {
      const fingerprint = command.fingerprint ?? null
      seen.set(command.commandId, { position: seq, ...(fingerprint !== null ? { fingerprint } : {}) })
      plan.commands.push({ commandId: command.commandId, position: seq, count: written.length, fingerprint })
    }
    streamVersions.set(command.stream, written.at(-1)?.version ?? current)
  }
  return plan
}

/** One event as an SQL row: payload and meta as JSON text. */
export interface EventRow {
  readonly seq: number
  readonly id: string
  readonly stream: string
  readonly version: number
  readonly type: string
  readonly schema_version: number
  readonly payload: string
  readonly meta: string
}

/** Turns an event into its row; a payload JSON cannot hold is the handler's fault, not the storage's. */
export function toRow(event: EventEnvelope): EventRow {
  let payload: string | undefined
  try {
    payload = JSON.stringify(event.payload)
  } catch (cause) {
    throw new HandlerError('unstorable-event', `Event ${event.type} of stream ${event.stream} has a payload that is not JSON (${String(cause)}); server event payloads must be plain JSON values.`, { cause })
  }
  return {
    seq: event.seq,
    id: event.id,
    stream: event.stream,
    version: event.version,
    type: event.type,
    schema_version: event.schemaVersion,
    payload: payload ?? 'null',
    meta: JSON.stringify(event.meta),
  }
}

/** Turns a row (JSON columns as text or already parsed, numbers possibly as strings) back into an event. */
export function fromRow(row: { seq: unknown; id: unknown; stream: unknown; version: unknown; type: unknown; schema_version: unknown; payload: unknown; meta: unknown }): EventEnvelope {
  return {
    id: String(row.id),
    seq: Number(row.seq),
    stream: String(row.stream),
    version: Number(row.version),
    type: String(row.type),
    schemaVersion: Number(row.schema_version),
    payload: typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload,
    meta: (typeof row.meta === 'string' ? JSON.parse(row.meta) : row.meta) as EventEnvelope['meta'],
  }
}

/** A set of listeners, called safely: one that throws cannot stop the others or the caller. */
export function createListeners<T>() {
  const listeners = new Set<(value: T) => void>()
  return {
    add(listener: (value: T) => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    emit(value: T) {
      for (const listener of listeners) {
        try {
          listener(value)
        } catch {
          // A listener's failure is its own; the commit already happened.
        }
      }
    },
    clear: () => listeners.clear(),
  }
}
