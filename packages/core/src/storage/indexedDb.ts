import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import { StorageError, type StorageErrorCode } from '../errors'
import type { EventEnvelope } from '../event'
import type { AppendCommand, AppendOutcome, EventLogStorage, StorageBackend, StorageSignal, StoredCheckpoint } from './storage'

/** The database layout, one version per migration in `upgrade` below. */
export const schemaVersion = 1

interface ChronicleDb extends DBSchema {
  events: {
    key: number
    value: EventEnvelope
    indexes: { stream: [string, number]; command: string }
  }
  checkpoints: { key: string; value: StoredCheckpoint }
  meta: { key: string; value: unknown }
}

/** Options of `indexedDbStorage`. */
export interface IndexedDbStorageOptions {
  /**
   * IndexedDB durability of append transactions. `'default'` (the browser's choice) survives tab
   * crashes and reloads; `'strict'` also waits for the OS to flush to disk, at a cost in
   * throughput. Read transactions are unaffected.
   */
  readonly durability?: 'default' | 'strict' | 'relaxed'
  /** Prefix of the database name; the store's name follows it (default `chronicle:`). */
  readonly prefix?: string
}

/**
 * The default storage: an IndexedDB database per store name, opened through `idb`. Events live in
 * one object store keyed by an auto-incremented `seq`, with a unique `[stream, version]` index
 * (the per-stream concurrency check) and a `commandId` index (idempotency, undo).
 *
 * @example
 * const store = createStore({ name: 'kanban', commands, storage: indexedDbStorage({ durability: 'strict' }) })
 */
export function indexedDbStorage(options: IndexedDbStorageOptions = {}): StorageBackend {
  return {
    kind: 'indexeddb',
    open: (name) => openIndexedDbLog(`${options.prefix ?? 'chronicle:'}${name}`, options),
  }
}

async function openIndexedDbLog(dbName: string, options: IndexedDbStorageOptions): Promise<EventLogStorage> {
  if (typeof indexedDB === 'undefined') throw new StorageError('unavailable', 'IndexedDB is not available here; pass storage: memoryStorage() for tests and SSR.')
  const listeners = new Set<(signal: StorageSignal) => void>()
  const emit = (signal: StorageSignal) => {
    for (const listener of listeners) listener(signal)
  }
  let closed = false
  let db: IDBPDatabase<ChronicleDb>
  try {
    db = await openDB<ChronicleDb>(dbName, schemaVersion, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) {
          const events = database.createObjectStore('events', { keyPath: 'seq', autoIncrement: true })
          events.createIndex('stream', ['stream', 'version'], { unique: true })
          events.createIndex('command', 'meta.commandId')
          database.createObjectStore('checkpoints', { keyPath: 'name' })
          database.createObjectStore('meta')
        }
      },
      blocking(_current, blockedVersion) {
        // Another tab opens a newer schema, or deletes the database: step aside instead of
        // blocking it, and tell the store.
        closed = true
        db.close()
        emit({ type: 'version-change', newVersion: blockedVersion })
      },
      terminated() {
        closed = true
        emit({ type: 'closed', reason: 'The browser closed the database connection (storage cleared or evicted).' })
      },
    })
  } catch (error) {
    throw toStorageError(error, 'Could not open the event log')
  }
  const durability = options.durability ?? 'default'

  const guard = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    if (closed) throw new StorageError('closed', `${what}: the event log is closed; create a new store (or reload) to keep working.`)
    try {
      return await work()
    } catch (error) {
      throw toStorageError(error, what)
    }
  }

  /** The append that reads each stream's head (and earlier runs of idempotent commands) first: exact outcomes per command. */
  const appendChecked = async (commands: readonly AppendCommand[]): Promise<AppendOutcome[]> => {
    const tx = db.transaction('events', 'readwrite', { durability })
    const plan: (AppendOutcome | { status: 'write'; keys: Promise<number>[]; command: AppendCommand })[] = []
    try {
      const store = tx.store
      const streamIndex = store.index('stream')
      const commandIndex = store.index('command')
      const streams = [...new Set(commands.map((c) => c.stream))]
      const idempotent = commands.filter((c) => c.idempotent)
      // All reads first, in parallel: the stream heads and, for idempotent commands, earlier runs.
      const [heads, earlier] = await Promise.all([
        Promise.all(
          streams.map(async (stream) => {
            const cursor = await streamIndex.openKeyCursor(IDBKeyRange.bound([stream, 0], [stream, Infinity]), 'prev')
            return [stream, cursor ? cursor.key[1] : 0] as const
          }),
        ),
        Promise.all(
          idempotent.map(async (c) => {
            const cursor = await commandIndex.openKeyCursor(c.commandId, 'prev')
            return [c.commandId, cursor ? cursor.primaryKey : undefined] as const
          }),
        ),
      ])
      const versions = new Map<string, number>(heads)
      const seen = new Map(earlier)
      for (const command of commands) {
        const previousPosition = command.idempotent ? seen.get(command.commandId) : undefined
        if (previousPosition !== undefined) {
          plan.push({ status: 'duplicate', position: previousPosition })
          continue
        }
        const current = versions.get(command.stream) ?? 0
        if (current !== command.expectedVersion) {
          plan.push({ status: 'conflict', actualVersion: current })
          continue
        }
        const keys: Promise<number>[] = []
        plan.push({ status: 'write', keys, command })
        for (const event of command.events) keys.push(store.add(event as EventEnvelope))
        if (command.idempotent) seen.set(command.commandId, -1)
        versions.set(command.stream, command.events.at(-1)?.version ?? current)
      }
    } catch (error) {
      // Whatever failed (an uncloneable payload, a closed connection), nothing of the batch may
      // commit: abort explicitly, or the requests already made would auto-commit.
      try {
        tx.abort()
      } catch {
        // already finished or aborted
      }
      tx.done.catch(() => undefined)
      for (const p of plan) if (p.status === 'write') for (const key of p.keys) key.catch(() => undefined)
      throw error
    }
    const allKeys = Promise.all(plan.flatMap((p) => (p.status === 'write' ? p.keys : [])))
    await Promise.all([tx.done, allKeys])
    const outcomes: AppendOutcome[] = []
    for (const p of plan) {
      if (p.status !== 'write') outcomes.push(p)
      else {
        const seqs = await Promise.all(p.keys)
        outcomes.push({ status: 'ok', events: p.command.events.map((event, i) => ({ ...event, seq: seqs[i]! })) })
      }
    }
    return outcomes
  }

  /**
   * The append without reads, for batches without idempotent commands: every event goes in on the
   * versions the write model expects, and the unique [stream, version] index is the concurrency
   * check. Versions in a stream are gapless (every writer appends at its head + 1), so a stale
   * expectation always collides with the event already at expectedVersion + 1: the add fails with
   * ConstraintError, the transaction aborts, nothing is written, and this resolves undefined so
   * the caller reruns the batch checked, which tells each command's outcome. Skipping the
   * in-transaction read of the stream heads saves a round trip to the IndexedDB backend per
   * transaction: measured in Chromium 156 with one event per transaction, raw `idb` with that read
   * ran at ~0.45x of raw `idb` without it (the indexes themselves cost little), and Chronicle's
   * durable dispatch one at a time went from ~700 to ~1,100 commands/s.
   */
  const appendTrusting = async (commands: readonly AppendCommand[]): Promise<AppendOutcome[] | undefined> => {
    const tx = db.transaction('events', 'readwrite', { durability })
    const keys: Promise<number>[] = []
    const settle = () => {
      tx.done.catch(() => undefined)
      for (const key of keys) key.catch(() => undefined)
    }
    try {
      for (const command of commands) for (const event of command.events) keys.push(tx.store.add(event as EventEnvelope))
    } catch (error) {
      // A synchronous failure (an uncloneable payload): nothing of the batch may commit.
      try {
        tx.abort()
      } catch {
        // already finished or aborted
      }
      settle()
      throw error
    }
    settle()
    try {
      await Promise.all([tx.done, ...keys])
    } catch (error) {
      if ((error instanceof DOMException || error instanceof Error) && error.name === 'ConstraintError') return undefined
      throw error
    }
    const seqs = await Promise.all(keys)
    let next = 0
    return commands.map((command) => ({ status: 'ok', events: command.events.map((event) => ({ ...event, seq: seqs[next++]! })) }))
  }

  return {
    head: () =>
      guard('Reading the log head', async () => {
        const cursor = await db.transaction('events').store.openKeyCursor(null, 'prev')
        return cursor ? cursor.key : 0
      }),

    append: (commands) =>
      guard('Appending events', async () => (commands.some((c) => c.idempotent) ? undefined : await appendTrusting(commands)) ?? appendChecked(commands)),

    readStream: (stream, afterVersion) =>
      guard(`Reading stream ${stream}`, () =>
        db.getAllFromIndex('events', 'stream', IDBKeyRange.bound([stream, afterVersion], [stream, Infinity], true, false)),
      ),

    readLog: (after, options = {}) =>
      guard('Reading the log', () =>
        db.getAll('events', IDBKeyRange.bound(after, options.to ?? Infinity, true, false), options.limit),
      ),

    readCommand: (commandId) => guard('Reading a command', () => db.getAllFromIndex('events', 'command', commandId)),

    loadCheckpoints: () => guard('Loading checkpoints', () => db.getAll('checkpoints')),

    saveCheckpoints: (checkpoints) =>
      guard('Saving checkpoints', async () => {
        const tx = db.transaction('checkpoints', 'readwrite')
        for (const checkpoint of checkpoints) void tx.store.put(checkpoint)
        await tx.done
      }),

    deleteCheckpoint: (name) => guard('Deleting a checkpoint', () => db.delete('checkpoints', name)),

    onSignal(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    close() {
      closed = true
      listeners.clear()
      db.close()
    },
  }
}

const codes: Record<string, StorageErrorCode> = {
  QuotaExceededError: 'quota-exceeded',
  InvalidStateError: 'closed',
  AbortError: 'aborted',
  VersionError: 'version-change',
  DataCloneError: 'failed',
  ConstraintError: 'aborted',
  DataError: 'corrupt',
  NotFoundError: 'corrupt',
}

/** Maps whatever IndexedDB threw to a StorageError with a code and a message that says what to do. */
export function toStorageError(error: unknown, what: string): StorageError {
  if (error instanceof StorageError) return error
  const name = error instanceof Error || error instanceof DOMException ? error.name : 'Error'
  const code = codes[name] ?? 'failed'
  const advice: Record<StorageErrorCode, string> = {
    'quota-exceeded': 'the browser storage quota is exhausted; free space (compact the log) or ask for persistent storage',
    blocked: 'another tab keeps an older version of the database open; close it',
    'version-change': 'another tab upgraded or deleted the database; reload this tab',
    deleted: 'the database was deleted; reload this tab',
    closed: 'the database connection is closed; reload this tab or create a new store',
    aborted: 'the transaction was aborted; nothing of it was written, try again',
    unavailable: 'IndexedDB is not available',
    corrupt: 'a stored record could not be read',
    failed: 'IndexedDB failed',
  }
  const detail = error instanceof Error ? error.message : String(error)
  return new StorageError(code, `${what} failed: ${advice[code]} (${name}: ${detail})`, { cause: error })
}
