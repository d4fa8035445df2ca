import { Pool, type PoolConfig } from 'pg'
import { ChronicleError, StorageError, type StorageErrorCode } from '@chronicle/core'
import { type AppendCommand, type StorageSignal } from '@chronicle/core/storage'
import { appendAtOnce, appendInTransaction, withRetries } from './postgresAppend'
import { listen } from './postgresListener'
import { postgresRateLimits } from './postgresRateLimits'
import { postgresReads } from './postgresReads'
import { fillScopes, migrate } from './postgresSchema'
import { createListeners, type ServerEventLog, type ServerLogOptions, type ServerStorageBackend } from './serverStorage'

/** Options of `postgresStorage`. */
export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database`; or pass `config` for anything more. */
  readonly connectionString?: string
  /** Full pg pool configuration (host, ssl, ...); `connectionString` is added to it when given. */
  readonly config?: PoolConfig
  /** Connections in the pool (default 10). */
  readonly max?: number
  /**
   * Where the LISTEN connection goes, when the pool goes through a transaction-mode pooler
   * (PgBouncer) that cannot hold a LISTEN: PostgreSQL itself or a session-mode pool. Default: the
   * pool's own connection settings.
   */
  readonly listenConnectionString?: string
  /** The NOTIFY channel that tells server processes of new events (default `chronicle_events`). */
  readonly channel?: string
  /** How often an append transaction is retried after a serialization failure or deadlock (default 5). */
  readonly maxRetries?: number
}

/**
 * The PostgreSQL server event store, for more than one server process. Appends take a per-log
 * transaction-scoped advisory lock, so `seq` is gapless and commits appear in `seq` order (a pull
 * can never pass an event that commits later with a smaller seq). After each commit a NOTIFY on
 * `channel` tells every process, whose live WebSockets then send the new events.
 *
 * @example
 * const store = postgresStorage({ connectionString: process.env.DATABASE_URL })
 */
export function postgresStorage(options: PostgresStorageOptions): ServerStorageBackend {
  const config: PoolConfig = { ...options.config, ...(options.connectionString ? { connectionString: options.connectionString } : {}) }
  const channel = options.channel ?? 'chronicle_events'
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new TypeError(`postgresStorage: channel must be a lower-case SQL identifier, got ${JSON.stringify(channel)}`)
  return {
    kind: 'postgres',
    shared: true,
    async open(name, logOptions = {}) {
      const pool = new Pool({ max: options.max ?? 10, ...config })
      // An idle client's connection error must not crash the process; the next query reports it.
      pool.on('error', () => undefined)
      try {
        await migrate(pool)
        if (logOptions.scopeOf) await fillScopes(pool, name, logOptions.scopeOf)
      } catch (error) {
        await pool.end().catch(() => undefined)
        throw toStorageError(error, 'Opening the PostgreSQL event log')
      }
      const listenConfig = options.listenConnectionString ? { ...options.config, connectionString: options.listenConnectionString } : config
      return openPostgresLog(pool, listenConfig, channel, name, options.maxRetries ?? 5, logOptions.scopeOf)
    },
  }
}

/** Runs `work` as one storage operation: refused once the log is closed, failures as StorageErrors. */
type Guard = <T>(what: string, work: () => Promise<T>) => Promise<T>

async function openPostgresLog(pool: Pool, listenConfig: PoolConfig, channel: string, log: string, maxRetries: number, scopeOf: ServerLogOptions['scopeOf']): Promise<ServerEventLog> {
  const appended = createListeners<number>()
  const reads = postgresReads(pool, log)
  const rateLimits = postgresRateLimits(pool, log)
  // Heads other connections announce while this process appends (its own NOTIFY may overtake the
  // append's answer) are told after the append's own: the log's readers hear of its commit first.
  let appending = 0
  let held = 0
  const announced = (head: number) => (appending > 0 ? (held = Math.max(held, head)) : appended.emit(head))
  const listener = listen(listenConfig, channel, log, announced, reads.head)
  let closed = false
  const guard: Guard = async (what, work) => {
    if (closed) throw new StorageError('closed', `${what}: the event log is closed; open it again to keep working.`)
    try {
      return await work()
    } catch (error) {
      throw toStorageError(error, what)
    }
  }
  const append = async (commands: readonly AppendCommand[]) => {
    appending++
    try {
      return await withRetries(pool, maxRetries, isRetryable, async (client) => {
        const { outcomes, last } = (await appendAtOnce(client, log, channel, commands, scopeOf)) ?? (await appendInTransaction(client, log, channel, commands, scopeOf))
        if (last !== undefined) appended.emit(last)
        return outcomes
      })
    } finally {
      if (--appending === 0 && held > 0) appended.emit(held)
      if (appending === 0) held = 0
    }
  }
  return {
    head: () => guard('Reading the log head', reads.head),
    append: (commands) => guard('Appending events', () => append(commands)),
    readStream: (stream, afterVersion) => guard(`Reading stream ${stream}`, () => reads.readStream(stream, afterVersion)),
    readLog: (after, range = {}) => guard('Reading the log', () => reads.readLog(after, range)),
    readCommand: (commandId) => guard('Reading a command', () => reads.readCommand(commandId)),
    loadCheckpoints: () => guard('Loading checkpoints', () => reads.loadCheckpoints()),
    saveCheckpoints: (checkpoints) => guard('Saving checkpoints', () => reads.saveCheckpoints(checkpoints)),
    deleteCheckpoint: (name) => guard('Deleting a checkpoint', () => reads.deleteCheckpoint(name)),
    onSignal: (_listener: (signal: StorageSignal) => void) => () => undefined,
    onAppended: (listener) => appended.add(listener),
    findCommand: (commandId) => guard('Finding a command', async () => (await reads.findCommands([commandId])).get(commandId)),
    findCommands: (commandIds) => guard('Finding commands', () => reads.findCommands(commandIds)),
    readScoped: (after, range, scopes) => guard('Reading the log', () => reads.readScoped(after, range, scopes)),
    rateLimits: { take: (key, cost, limits) => guard('Taking from a rate limit', async () => rateLimits.take(key, cost, limits)) },
    close() {
      if (closed) return
      closed = true
      appended.clear()
      listener.stop()
      void pool.end().catch(() => undefined)
    },
  }
}

function sqlState(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : ''
}

/** Serialization failure, deadlock, unique violation: another writer won; try again. */
function isRetryable(error: unknown): boolean {
  return ['40001', '40P01', '23505'].includes(sqlState(error))
}

/** Maps what pg threw to a StorageError; Chronicle's own errors pass through. */
function toStorageError(error: unknown, what: string): ChronicleError {
  if (error instanceof ChronicleError) return error
  const state = sqlState(error)
  let code: StorageErrorCode = 'failed'
  if (isRetryable(error)) code = 'aborted'
  else if (state === '53100') code = 'quota-exceeded'
  else if (state.startsWith('08') || state.startsWith('57') || ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT'].includes(state)) code = 'unavailable'
  else if (/Connection terminated|connect ECONNREFUSED|Client was closed/i.test(String(error))) code = 'unavailable'
  const detail = error instanceof Error ? error.message : String(error)
  return new StorageError(code, `${what} failed (${state || 'error'}: ${detail}); nothing of it was written.`, { cause: error })
}
