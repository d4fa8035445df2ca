import Database from 'better-sqlite3'
import { ChronicleError, StorageError, type StorageErrorCode } from '@chronicle/core'
import { type FoundCommand } from '@chronicle/core/storage'
import { type AppendCommand, type StorageSignal, type StoredCheckpoint } from '@chronicle/core/storage'
import { createListeners, fromRow, planAppend, scopeColumn, toRow, type EventRow, type ServerEventLog, type ServerLogOptions, type ServerStorageBackend } from './serverStorage'

/** The table layout; `PRAGMA user_version` records it. */
const schemaVersion = 3

/** Options of `sqliteStorage`. */
export interface SqliteStorageOptions {
  /** The database file (created when missing); `':memory:'` for a throwaway log. */
  readonly path: string
  /**
   * `'full'` (default): an append is on disk before it is acknowledged, even across a power loss.
   * `'normal'`: faster; survives a crash of the process, but a power loss may take the last commits.
   */
  readonly synchronous?: 'full' | 'normal'
  /** Milliseconds a writer waits for another connection's write lock before failing (default 5 000). */
  readonly busyTimeout?: number
}

/**
 * The embedded server event store: one SQLite file through better-sqlite3, in WAL mode, so pulls
 * and live reads never wait for appends. Each append batch is one `BEGIN IMMEDIATE` transaction.
 * Several logs (store names) can share the file. One server process per file: other processes
 * can read it, but only this one hears of its appends.
 *
 * @example
 * const server = createSyncServer({ domain, store: sqliteStorage({ path: './data.sqlite' }), ... })
 */
export function sqliteStorage(options: SqliteStorageOptions): ServerStorageBackend {
  let shared: { db: Database.Database; users: number } | undefined
  const listeners = new Map<string, ReturnType<typeof createListeners<number>>>()
  const openDatabase = () => {
    if (shared) {
      shared.users++
      return shared.db
    }
    const db = new Database(options.path)
    try {
      db.pragma('journal_mode = WAL')
      db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
      db.pragma(`busy_timeout = ${options.busyTimeout ?? 5000}`)
      const version = db.pragma('user_version', { simple: true }) as number
      if (version > schemaVersion) {
        throw new StorageError('version-change', `${options.path} was written by a newer @chronicle/server (schema ${version}, this one knows ${schemaVersion}); upgrade the server.`)
      }
      db.exec(`
        CREATE TABLE IF NOT EXISTS chronicle_events (
          log TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, stream TEXT NOT NULL, version INTEGER NOT NULL,
          type TEXT NOT NULL, schema_version INTEGER NOT NULL, payload TEXT NOT NULL, meta TEXT NOT NULL,
          PRIMARY KEY (log, seq), UNIQUE (log, stream, version)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS chronicle_commands (
          log TEXT NOT NULL, command_id TEXT NOT NULL, position INTEGER NOT NULL, count INTEGER NOT NULL, fingerprint TEXT,
          PRIMARY KEY (log, command_id)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS chronicle_checkpoints (
          log TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, position INTEGER NOT NULL, state TEXT NOT NULL, saved_at REAL NOT NULL,
          PRIMARY KEY (log, name)
        ) WITHOUT ROWID;
      `)
      // Schema 2: commands remember what they asked for. Rows from schema 1 keep a NULL fingerprint,
      // and repeats of those ids are answered as duplicates, as before.
      const hasFingerprint = (db.pragma('table_info(chronicle_commands)') as { name: string }[]).some((column) => column.name === 'fingerprint')
      if (!hasFingerprint) db.exec('ALTER TABLE chronicle_commands ADD COLUMN fingerprint TEXT')
      // Schema 3: each event's scope (tenant), for pulls filtered by the database; filled in when a
      // log is opened with scopeOf.
      const hasScope = (db.pragma('table_info(chronicle_events)') as { name: string }[]).some((column) => column.name === 'scope')
      if (!hasScope) db.exec('ALTER TABLE chronicle_events ADD COLUMN scope TEXT')
      db.exec('CREATE INDEX IF NOT EXISTS chronicle_events_scope ON chronicle_events (log, scope, seq)')
      db.pragma(`user_version = ${schemaVersion}`)
    } catch (error) {
      db.close()
      throw toStorageError(error, `Opening ${options.path}`)
    }
    shared = { db, users: 1 }
    return db
  }
  const release = () => {
    if (shared && --shared.users === 0) {
      shared.db.close()
      shared = undefined
    }
  }

  return {
    kind: 'sqlite',
    async open(name, logOptions = {}) {
      const db = openDatabase()
      if (logOptions.scopeOf) {
        try {
          fillScopes(db, name, logOptions.scopeOf)
        } catch (error) {
          release()
          throw toStorageError(error, `Opening ${options.path}`)
        }
      }
      let appended = listeners.get(name)
      if (!appended) listeners.set(name, (appended = createListeners<number>()))
      return openSqliteLog(db, name, appended, release, logOptions.scopeOf)
    },
  }
}

function openSqliteLog(
  db: Database.Database,
  log: string,
  appended: ReturnType<typeof createListeners<number>>,
  release: () => void,
  scopeOf: ServerLogOptions['scopeOf'],
): ServerEventLog {
  const columns = 'seq, id, stream, version, type, schema_version, payload, meta'
  const statements = {
    head: db.prepare<[string], { head: number | null }>('SELECT max(seq) AS head FROM chronicle_events WHERE log = ?'),
    streamVersion: db.prepare<[string, string], { version: number | null }>('SELECT max(version) AS version FROM chronicle_events WHERE log = ? AND stream = ?'),
    command: db.prepare<[string, string], { position: number; count: number; fingerprint: string | null }>('SELECT position, count, fingerprint FROM chronicle_commands WHERE log = ? AND command_id = ?'),
    commands: db.prepare<[string, string], { command_id: string; position: number; fingerprint: string | null }>(
      'SELECT command_id, position, fingerprint FROM chronicle_commands WHERE log = ? AND command_id IN (SELECT value FROM json_each(?))',
    ),
    insertEvent: db.prepare(`INSERT INTO chronicle_events (log, ${columns}, scope) VALUES (@log, @seq, @id, @stream, @version, @type, @schema_version, @payload, @meta, @scope)`),
    insertCommand: db.prepare('INSERT OR IGNORE INTO chronicle_commands (log, command_id, position, count, fingerprint) VALUES (?, ?, ?, ?, ?)'),
    readStream: db.prepare<[string, string, number], EventRow>(`SELECT ${columns} FROM chronicle_events WHERE log = ? AND stream = ? AND version > ? ORDER BY version`),
    readLog: db.prepare<[string, number, number, number], EventRow>(`SELECT ${columns} FROM chronicle_events WHERE log = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`),
    checkpoints: db.prepare<[string], { name: string; version: number; position: number; state: string; saved_at: number }>('SELECT name, version, position, state, saved_at FROM chronicle_checkpoints WHERE log = ?'),
    saveCheckpoint: db.prepare('INSERT OR REPLACE INTO chronicle_checkpoints (log, name, version, position, state, saved_at) VALUES (?, ?, ?, ?, ?, ?)'),
    deleteCheckpoint: db.prepare('DELETE FROM chronicle_checkpoints WHERE log = ? AND name = ?'),
  }
  const head = () => statements.head.get(log)?.head ?? 0
  const findCommands = (commandIds: readonly string[]) => new Map(statements.commands.all(log, JSON.stringify(commandIds)).map((row) => [row.command_id, toFound(row)]))

  const append = db.transaction((commands: readonly AppendCommand[]) => {
    const versions = new Map<string, number>()
    for (const stream of new Set(commands.map((c) => c.stream))) versions.set(stream, statements.streamVersion.get(log, stream)?.version ?? 0)
    const idempotent = commands.filter((c) => c.idempotent).map((c) => c.commandId)
    const recorded = idempotent.length === 0 ? new Map<string, FoundCommand>() : findCommands(idempotent)
    const plan = planAppend(commands, head(), versions, recorded)
    for (const event of plan.events) statements.insertEvent.run({ log, ...toRow(event), scope: scopeColumn(scopeOf, event.stream) })
    for (const c of plan.commands) statements.insertCommand.run(log, c.commandId, c.position, c.count, c.fingerprint)
    return plan
  })

  let closed = false
  const guard = <T>(what: string, work: () => T): Promise<T> => {
    if (closed) return Promise.reject(new StorageError('closed', `${what}: the event log is closed; open it again to keep working.`))
    try {
      return Promise.resolve(work())
    } catch (error) {
      return Promise.reject(toStorageError(error, what))
    }
  }

  return {
    head: () => guard('Reading the log head', head),
    append: async (commands) => {
      // The transaction (and its fsync) blocks the process. Requests that arrived meanwhile are
      // read first, so their commands gather for the next batch instead of each paying a commit.
      await new Promise((resolve) => setImmediate(resolve))
      return guard('Appending events', () => {
        const plan = append.immediate(commands)
        if (plan.events.length > 0) appended.emit(plan.events.at(-1)!.seq)
        return plan.outcomes
      })
    },
    readStream: (stream, afterVersion) => guard(`Reading stream ${stream}`, () => statements.readStream.all(log, stream, afterVersion).map(fromRow)),
    readLog: (after, range = {}) =>
      guard('Reading the log', () => statements.readLog.all(log, after, range.to ?? Number.MAX_SAFE_INTEGER, range.limit ?? -1).map(fromRow)),
    readCommand: (commandId) =>
      guard('Reading a command', () => {
        const row = statements.command.get(log, commandId)
        return row && row.count > 0 ? statements.readLog.all(log, row.position - row.count, row.position, row.count).map(fromRow) : []
      }),
    loadCheckpoints: () =>
      guard('Loading checkpoints', () =>
        statements.checkpoints.all(log).map((r): StoredCheckpoint => ({ name: r.name, version: r.version, position: r.position, state: JSON.parse(r.state) as unknown, savedAt: r.saved_at })),
      ),
    saveCheckpoints: (checkpoints) =>
      guard('Saving checkpoints', () => {
        db.transaction(() => {
          for (const c of checkpoints) statements.saveCheckpoint.run(log, c.name, c.version, c.position, JSON.stringify(c.state), c.savedAt)
        })()
      }),
    deleteCheckpoint: (name) => guard('Deleting a checkpoint', () => void statements.deleteCheckpoint.run(log, name)),
    onSignal: (_listener: (signal: StorageSignal) => void) => () => undefined,
    onAppended: (listener) => appended.add(listener),
    findCommand: (commandId) =>
      guard('Finding a command', () => {
        const row = statements.command.get(log, commandId)
        return row && toFound(row)
      }),
    findCommands: (commandIds) => guard('Finding commands', () => findCommands(commandIds)),
    readScoped: (after, range, scopes) =>
      guard('Reading the log', () => scopedRead(db, scopes.length).all({ log, after, to: range.to, limit: range.limit, ...Object.fromEntries(scopes.map((scope, i) => [`s${i}`, scope])) }).map(fromRow)),
    close() {
      if (closed) return
      closed = true
      release()
    },
  }
}

const scopedReads = new WeakMap<Database.Database, Map<number, Database.Statement<[Record<string, unknown>], EventRow>>>()

/**
 * The events of `count` scopes after a position, by the scope index: per scope a range of at most
 * `limit` events, merged by seq. Parameters: log, after, to, limit, and s0, s1, ... for the scopes.
 */
function scopedRead(db: Database.Database, count: number): Database.Statement<[Record<string, unknown>], EventRow> {
  let byCount = scopedReads.get(db)
  if (!byCount) scopedReads.set(db, (byCount = new Map()))
  let statement = byCount.get(count)
  if (!statement) {
    const one = (i: number) =>
      `SELECT * FROM (SELECT seq, id, stream, version, type, schema_version, payload, meta FROM chronicle_events WHERE log = @log AND scope = @s${i} AND seq > @after AND seq <= @to ORDER BY seq LIMIT @limit)`
    statement = db.prepare<[Record<string, unknown>], EventRow>(`${Array.from({ length: count }, (_, i) => one(i)).join(' UNION ALL ')} ORDER BY seq LIMIT @limit`)
    byCount.set(count, statement)
  }
  return statement
}

/** Gives the events stored without a scope the scope of their stream (see ServerLogOptions). */
function fillScopes(db: Database.Database, log: string, scopeOf: (stream: string) => string | null) {
  const streams = db.prepare<[string], { stream: string }>('SELECT DISTINCT stream FROM chronicle_events WHERE log = ? AND scope IS NULL').all(log)
  const update = db.prepare('UPDATE chronicle_events SET scope = ? WHERE log = ? AND stream = ? AND scope IS NULL')
  db.transaction(() => {
    for (const { stream } of streams) update.run(scopeOf(stream) ?? '', log, stream)
  })()
}

/** A commands row as `findCommand` answers it. */
const toFound = (row: { position: number; fingerprint: string | null }): FoundCommand => ({ position: row.position, ...(row.fingerprint !== null ? { fingerprint: row.fingerprint } : {}) })

const codes: Record<string, StorageErrorCode> = {
  SQLITE_BUSY: 'blocked',
  SQLITE_LOCKED: 'blocked',
  SQLITE_FULL: 'quota-exceeded',
  SQLITE_CORRUPT: 'corrupt',
  SQLITE_NOTADB: 'corrupt',
  SQLITE_CANTOPEN: 'unavailable',
  SQLITE_READONLY: 'unavailable',
  SQLITE_IOERR: 'failed',
  SQLITE_CONSTRAINT: 'aborted',
}

/** Maps what better-sqlite3 threw to a StorageError; Chronicle's own errors pass through. */
function toStorageError(error: unknown, what: string): ChronicleError {
  if (error instanceof ChronicleError) return error
  const sqliteCode = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : ''
  const code = codes[sqliteCode.replace(/^(SQLITE_[A-Z]+).*$/, '$1')] ?? 'failed'
  const detail = error instanceof Error ? error.message : String(error)
  return new StorageError(code, `${what} failed (${sqliteCode || 'error'}: ${detail}); nothing of it was written.`, { cause: error })
}
