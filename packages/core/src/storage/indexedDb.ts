import { openDB, unwrap, type IDBPDatabase } from 'idb'
import { StorageError, type StorageErrorCode } from '../errors'
import type { EventEnvelope } from '../event'
import { defaultPartEntries, newGeneration } from './checkpointParts'
import { deleteCheckpointParts, isCheckpointPart, loadCheckpoints, saveCheckpoints } from './indexedDbCheckpoints'
import { dropOtherHorizonParts, horizonProblem, readHorizonStates, storedHorizon, writeHorizonParts, type HorizonRecord } from './indexedDbHorizon'
import { layoutStores, migrations, type ChronicleDb, type CommandRecord, type Migration } from './indexedDbLayout'
import type { AppendCommand, AppendOutcome, EventLogStorage, StorageBackend, StorageSignal } from './storage'

export { migrations, schemaVersion, type Migration } from './indexedDbLayout'

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
  /**
   * How long an open that needs a schema upgrade waits for older tabs to close their connections,
   * in ms (default 5000). Tabs running Chronicle step aside at once; a tab that does not (an old
   * build, a devtools session) makes the open fail with StorageError `blocked` after this time.
   */
  readonly blockedTimeout?: number
  /**
   * Entries per part when a read model's checkpoint is saved in parts (default 4096). A state
   * with a Map, Set, array or record of more entries (itself, or one of its fields) is saved in
   * parts of at most this many entries, each in a transaction of its own: IndexedDB copies a
   * record on the page's thread, so one record of 80,000 cards would be one ~100 ms task.
   */
  readonly checkpointPartSize?: number
}

/**
 * The default storage: an IndexedDB database per store name, opened through `idb`. Events live in
 * one object store keyed by an auto-incremented `seq`, with a unique `[stream, version]` index
 * (the per-stream concurrency check). Commands dispatched with an explicit `commandId` (and those
 * the sync server confirmed) also get a record of where their events are, for idempotency.
 *
 * @example
 * const store = createStore({ name: 'kanban', commands, storage: indexedDbStorage({ durability: 'strict' }) })
 */
export function indexedDbStorage(options: IndexedDbStorageOptions = {}): StorageBackend {
  return indexedDbStorageWithLayout(options, migrations)
}

/**
 * `indexedDbStorage` over another layout than this build's. Tests use it to play a newer build
 * (`[...migrations, extraStep]`) against an open older one; not part of the public API.
 */
export function indexedDbStorageWithLayout(options: IndexedDbStorageOptions, layout: readonly Migration[]): StorageBackend {
  return {
    kind: 'indexeddb',
    open: (name) => openIndexedDbLog(`${options.prefix ?? 'chronicle:'}${name}`, options, layout),
  }
}

async function openIndexedDbLog(dbName: string, options: IndexedDbStorageOptions, layout: readonly Migration[]): Promise<EventLogStorage> {
  if (typeof indexedDB === 'undefined') throw new StorageError('unavailable', 'IndexedDB is not available here; pass storage: memoryStorage() for tests and SSR.')
  const listeners = new Set<(signal: StorageSignal) => void>()
  const emit = (signal: StorageSignal) => {
    for (const listener of listeners) listener(signal)
  }
  let closed = false
  let db: IDBPDatabase<ChronicleDb>
  let blockedTimer: ReturnType<typeof setTimeout> | undefined
  let giveUp: (error: StorageError) => void = () => undefined
  let upgradeFailure: unknown
  const blockedTooLong = new Promise<never>((_, reject) => {
    giveUp = reject
  })
  const opening = openDB<ChronicleDb>(dbName, layout.length, {
    upgrade(database, _oldVersion, _newVersion, transaction) {
      // Every step, whatever the old version says: each adds only what is missing (indexedDbLayout.ts).
      try {
        for (const step of layout) step(unwrap(database), unwrap(transaction))
      } catch (error) {
        // Thrown out of the event handler it would reach the page as an uncaught error; the
        // open fails with it instead, and the aborted upgrade leaves the database as it was.
        upgradeFailure = error
        transaction.done.catch(() => undefined)
        transaction.abort()
      }
    },
    blocked(currentVersion) {
      // Another connection (an older tab) neither closed nor answered the version change yet.
      blockedTimer ??= setTimeout(
        () =>
          giveUp(
            new StorageError(
              'blocked',
              `Opening the event log "${dbName}" at schema version ${layout.length} is blocked: another tab keeps version ${currentVersion} open and does not close it. Close or reload the other tabs of this app, then try again.`,
            ),
          ),
        options.blockedTimeout ?? 5000,
      )
    },
    blocking(_current, blockedVersion, event) {
      // Another tab opens a newer schema, or deletes the database: step aside instead of
      // blocking it, and tell the store.
      closed = true
      ;(event.target as IDBDatabase).close()
      emit({ type: 'version-change', newVersion: blockedVersion })
    },
    terminated() {
      closed = true
      emit({ type: 'closed', reason: 'The browser closed the database connection (storage cleared or evicted).' })
    },
  })
  try {
    db = await Promise.race([opening, blockedTooLong])
  } catch (error) {
    // Should the blocked open go through later, close that connection: nobody uses it.
    opening.then((late) => late.close(), () => undefined)
    if (upgradeFailure !== undefined) throw toStorageError(upgradeFailure, `Upgrading the event log "${dbName}" to schema version ${layout.length}`)
    throw toStorageError(error, 'Could not open the event log')
  } finally {
    clearTimeout(blockedTimer)
  }
  const missing = layoutStores.filter((name) => !db.objectStoreNames.contains(name))
  if (missing.length > 0) {
    // At this build's version already, so no upgrade ran: something else made the database.
    db.close()
    throw new StorageError(
      'corrupt',
      `The database "${dbName}" is at schema version ${db.version} but lacks the object stores ${missing.join(', ')}: something other than Chronicle created it under this store's name. Delete it (indexedDB.deleteDatabase("${dbName}")) or give the store another name.`,
    )
  }
  const durability = options.durability ?? 'default'
  const partEntries = options.checkpointPartSize ?? defaultPartEntries
  // No options bag for the browser's default: Chromium 156 spends ~20 µs reading one per
  // transaction, about a tenth of a one-event append's time on the page's thread.
  const writing = durability === 'default' ? undefined : { durability }
  const rawDb = unwrap(db)

  const guard = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    if (closed) throw new StorageError('closed', `${what}: the event log is closed; create a new store (or reload) to keep working.`)
    try {
      return await work()
    } catch (error) {
      throw toStorageError(error, what)
    }
  }

  /**
   * The append that reads each stream's head (and the records of idempotent commands) first:
   * exact outcomes per command. An idempotent command it writes gets its CommandRecord in the
   * same transaction.
   */
  const appendChecked = async (commands: readonly AppendCommand[]): Promise<AppendOutcome[]> => {
    const tx = db.transaction(['events', 'streams', 'commands'], 'readwrite', writing)
    const plan: (AppendOutcome | { status: 'write'; keys: Promise<number>[]; command: AppendCommand })[] = []
    const recorded: Promise<unknown>[] = []
    try {
      const store = tx.objectStore('events')
      const streamIndex = store.index('stream')
      const records = tx.objectStore('commands')
      const streams = [...new Set(commands.map((c) => c.stream))]
      const idempotent = commands.filter((c) => c.idempotent)
      // All reads first, in parallel: the stream heads and, for idempotent commands, earlier runs.
      const [heads, earlier] = await Promise.all([
        Promise.all(
          streams.map(async (stream) => {
            const cursor = await streamIndex.openKeyCursor(IDBKeyRange.bound([stream, 0], [stream, Infinity]), 'prev')
            if (cursor) return [stream, cursor.key[1]] as const
            // A stream without events may have been compacted: it counts on from its snapshot.
            return [stream, (await tx.objectStore('streams').get(stream))?.version ?? 0] as const
          }),
        ),
        Promise.all(idempotent.map(async (c) => [c.commandId, (await records.get(c.commandId))?.last] as const)),
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
        if (command.idempotent && keys.length > 0) {
          // The keys arrive while the transaction is still active: the record goes in with the events.
          recorded.push(Promise.all(keys).then((seqs) => records.put({ commandId: command.commandId, first: seqs[0]!, last: seqs.at(-1)! })))
        }
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
      for (const record of recorded) record.catch(() => undefined)
      throw error
    }
    const allKeys = Promise.all(plan.flatMap((p) => (p.status === 'write' ? p.keys : [])))
    await Promise.all([tx.done, allKeys, ...recorded])
    const outcomes: AppendOutcome[] = []
    const written = new Map<string, number>()
    for (const p of plan) {
      if (p.status !== 'write') outcomes.push(p)
      else {
        const seqs = await Promise.all(p.keys)
        outcomes.push({ status: 'ok', events: p.command.events.map((event, i) => ({ ...event, seq: seqs[i]! })) })
        written.set(p.command.commandId, seqs.at(-1) ?? 0)
      }
    }
    // A repeat within this very batch points at the copy the batch wrote.
    return outcomes.map((o, i) =>
      o.status === 'duplicate' && o.position === -1 ? { ...o, position: written.get(commands[i]!.commandId) ?? 0 } : o,
    )
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
  const appendTrusting = (commands: readonly AppendCommand[]): Promise<AppendOutcome[] | undefined> =>
    new Promise((resolve, reject) => {
      // The hot path of every dispatch, on the raw IDB API: idb's promise per request costs two
      // listeners and a promise per event, and its `done` promise another hop. The keys are read
      // off the requests once the transaction completed (every request has its result by then).
      const tx = writing ? rawDb.transaction('events', 'readwrite', writing) : rawDb.transaction('events', 'readwrite')
      const store = tx.objectStore('events')
      const requests: IDBRequest<IDBValidKey>[] = []
      tx.oncomplete = () => {
        let next = 0
        resolve(commands.map((command) => ({ status: 'ok', events: command.events.map((event) => ({ ...event, seq: requests[next++]!.result as number })) })))
      }
      tx.onabort = () => {
        const error = tx.error ?? new DOMException('The transaction was aborted.', 'AbortError')
        if (error.name === 'ConstraintError') resolve(undefined)
        else reject(error)
      }
      try {
        for (const command of commands) for (const event of command.events) requests.push(store.add(event))
        // Ask for the commit now instead of when the last request's success has come back to this
        // thread: that saves a round trip, and the read models' fold (whileAppending) then overlaps
        // the commit instead of delaying it. A request that fails after this still aborts the
        // whole transaction (Chromium, Firefox and Safari commit only if no request failed).
        tx.commit?.()
      } catch (error) {
        // A synchronous failure (an uncloneable payload): nothing of the batch may commit.
        tx.onabort = null
        tx.oncomplete = null
        try {
          tx.abort()
        } catch {
          // already finished or aborted
        }
        reject(error)
      }
    })

  return {
    head: () =>
      guard('Reading the log head', async () => {
        const tx = db.transaction(['events', 'meta'])
        const cursor = await tx.objectStore('events').openKeyCursor(null, 'prev')
        // Compaction may remove every event: the head is then the horizon.
        return cursor ? cursor.key : (((await tx.objectStore('meta').get('horizon')) as HorizonRecord | undefined)?.position ?? 0)
      }),

    append: (commands, options = {}) =>
      guard('Appending events', async () => (options.trust === false || commands.some((c) => c.idempotent) ? undefined : await appendTrusting(commands)) ?? appendChecked(commands)),

    readStream: (stream, afterVersion) =>
      guard(`Reading stream ${stream}`, () =>
        db.getAllFromIndex('events', 'stream', IDBKeyRange.bound([stream, afterVersion], [stream, Infinity], true, false)),
      ),

    readLog: (after, options = {}) =>
      guard('Reading the log', () =>
        db.getAll('events', IDBKeyRange.bound(after, options.to ?? Infinity, true, false), options.limit),
      ),

    readCommand: (commandId) =>
      guard('Reading a command', async () => {
        const record = await db.get('commands', commandId)
        if (!record) return scanForCommand(db, commandId)
        return (await db.getAll('events', IDBKeyRange.bound(record.first, record.last))).filter((e) => e.meta?.commandId === commandId)
      }),

    findCommand: (commandId) => guard('Finding a command', async () => (await db.get('commands', commandId))?.last),

    loadCheckpoints: () => guard('Loading checkpoints', () => loadCheckpoints(db)),

    saveCheckpoints: (checkpoints) => guard('Saving checkpoints', () => saveCheckpoints(db, checkpoints, partEntries)),

    deleteCheckpoint: (name) =>
      guard('Deleting a checkpoint', async () => {
        const tx = db.transaction('checkpoints', 'readwrite')
        void tx.store.delete(name)
        void deleteCheckpointParts(tx.store, name)
        await tx.done
      }),

    compaction: {
      compact: (horizon, streams) =>
        guard('Compacting the log', async () => {
          // The read-model states first, in parts (indexedDbHorizon.ts); the record naming them comes
          // with the removal, in one transaction.
          const generation = newGeneration()
          const written = await writeHorizonParts(db, horizon, generation, partEntries)
          const tx = db.transaction(['events', 'streams', 'checkpoints', 'commands', 'meta'], 'readwrite', writing)
          const meta = tx.objectStore('meta')
          const previous = (await meta.get('horizon')) as HorizonRecord | undefined
          if ((previous?.position ?? 0) >= horizon.position) {
            // Another tab compacted as far or further meanwhile: what this one would remove is gone.
            await dropOtherHorizonParts(meta, previous?.parts?.generation)
            return tx.done
          }
          for (const snapshot of streams) void tx.objectStore('streams').put(snapshot)
          void meta.put(written, 'horizon')
          await dropOtherHorizonParts(meta, generation)
          void tx.objectStore('events').delete(IDBKeyRange.upperBound(horizon.position))
          // Checkpoints older than the horizon go, with their parts; parts are not read to find them.
          const checkpoints = tx.objectStore('checkpoints')
          let cursor = await checkpoints.openKeyCursor()
          const dropped: string[] = []
          while (cursor) {
            const name = String(cursor.key)
            if (!name.includes('\0')) {
              const stored = await checkpoints.get(name)
              if (stored && !isCheckpointPart(stored) && stored.position < horizon.position) {
                void checkpoints.delete(name)
                dropped.push(name)
              }
            }
            cursor = await cursor.continue()
          }
          for (const name of dropped) void deleteCheckpointParts(checkpoints, name)
          // A command whose events are all gone is forgotten with them, as in memoryStorage.
          let record = await tx.objectStore('commands').openCursor()
          while (record) {
            if (record.value.last <= horizon.position) void record.delete()
            record = await record.continue()
          }
          await tx.done
        }),

      loadHorizon: () =>
        guard('Reading the compaction horizon', async () => {
          const stored = (await db.get('meta', 'horizon')) as HorizonRecord | undefined
          if (stored === undefined) return undefined
          const problem = await horizonProblem(db, stored)
          if (problem) throw damagedHorizon(problem)
          return storedHorizon(stored)
        }),

      loadHorizonStates: (position) =>
        guard('Reading the read-model states at the compaction horizon', async () => {
          try {
            return await readHorizonStates(db, position)
          } catch (error) {
            if (error instanceof TypeError) throw damagedHorizon(error.message)
            throw error
          }
        }),

      loadStreamSnapshot: (stream) => guard(`Reading the snapshot of ${stream}`, () => db.get('streams', stream)),

    },

    outbox: {
      putPending: (commands) =>
        guard('Adding to the outbox', async () => {
          const tx = db.transaction('outbox', 'readwrite', writing)
          const last = await tx.store.index('order').openKeyCursor(null, 'prev')
          let order = last ? last.key : 0
          const stored = commands.map((c) => ({ ...c, order: ++order }))
          for (const command of stored) void tx.store.put(command)
          await tx.done
          return stored
        }),

      readPending: () => guard('Reading the outbox', () => db.getAllFromIndex('outbox', 'order')),

      receive: (receipt) =>
        guard('Storing confirmed events', async () => {
          const tx = db.transaction(['events', 'outbox', 'commands', 'meta'], 'readwrite', writing)
          const meta = tx.objectStore('meta')
          const known = ((await meta.get('sync.position')) as number | undefined) ?? 0
          const fresh = receipt.events.filter((e) => e.position > known).map(({ position: _position, ...event }) => event)
          const keys = fresh.map((event) => tx.objectStore('events').add(event as EventEnvelope))
          for (const commandId of receipt.settled) void tx.objectStore('outbox').delete(commandId)
          void meta.put(Math.max(known, receipt.position), 'sync.position')
          const seqs = await Promise.all(keys)
          const written = fresh.map((event, i) => ({ ...event, seq: seqs[i]! }))
          // Whether a confirmed command had an explicit id is not known here: each one gets its record.
          await recordCommands(tx.objectStore('commands'), written)
          await tx.done
          return written
        }),

      syncPosition: () => guard('Reading the sync position', async () => ((await db.get('meta', 'sync.position')) as number | undefined) ?? 0),
    },

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

/** Events read per request when a command without a record is looked for in the whole log. */
const scanPageSize = 10_000

/**
 * A command's events when it has no CommandRecord (its commandId was generated): the whole log,
 * page by page. Rare: `store.undoCommand` finds such commands in memory unless they precede the
 * events the store loaded.
 */
async function scanForCommand(db: IDBPDatabase<ChronicleDb>, commandId: string): Promise<EventEnvelope[]> {
  const found: EventEnvelope[] = []
  for (let after = 0; ; ) {
    const page = await db.getAll('events', IDBKeyRange.lowerBound(after, true), scanPageSize)
    for (const event of page) if (event.meta?.commandId === commandId) found.push(event)
    if (page.length < scanPageSize) return found
    after = page.at(-1)!.seq
  }
}

/** Puts (or widens) the CommandRecord of each command among `events`, inside `tx`. */
async function recordCommands(
  records: { get(commandId: string): Promise<CommandRecord | undefined>; put(record: CommandRecord): Promise<unknown> },
  events: readonly EventEnvelope[],
): Promise<void> {
  const ranges = new Map<string, { first: number; last: number }>()
  for (const { seq, meta } of events) {
    const range = ranges.get(meta.commandId)
    if (range) range.last = seq
    else ranges.set(meta.commandId, { first: seq, last: seq })
  }
  await Promise.all(
    [...ranges].map(async ([commandId, range]) => {
      // A command's events may come in two receipts (a page of the server's log ended inside it).
      const known = await records.get(commandId)
      await records.put({ commandId, first: Math.min(known?.first ?? range.first, range.first), last: Math.max(known?.last ?? range.last, range.last) } satisfies CommandRecord)
    }),
  )
}

/** The StorageError codes of IndexedDB's error names (anything else is `failed`). */
const codes = {
  QuotaExceededError: 'quota-exceeded',
  InvalidStateError: 'closed',
  AbortError: 'aborted',
  TransactionInactiveError: 'aborted',
  VersionError: 'version-change',
  DataCloneError: 'failed',
  ConstraintError: 'aborted',
  DataError: 'corrupt',
  NotFoundError: 'corrupt',
} as const satisfies Record<string, StorageErrorCode>

type MappedCode = (typeof codes)[keyof typeof codes]

/** What each code that `codes` gives means, and what to do about it. */
const advice: Record<MappedCode, string> = {
  'quota-exceeded': 'the browser storage quota is exhausted; free space (compact the log) or ask for persistent storage',
  'version-change': 'another tab upgraded or deleted the database; reload this tab',
  closed: 'the database connection is closed; reload this tab or create a new store',
  aborted: 'the transaction was aborted; nothing of it was written, try again',
  corrupt: 'a stored record could not be read',
  failed: 'IndexedDB failed',
}

/** Maps whatever IndexedDB threw to a StorageError with a code and a message that says what to do. */
export function toStorageError(error: unknown, what: string): StorageError {
  if (error instanceof StorageError) return error
  const name = error instanceof Error || error instanceof DOMException ? error.name : 'Error'
  const code: MappedCode = (codes as Record<string, MappedCode>)[name] ?? 'failed'
  const detail = error instanceof Error ? error.message : String(error)
  return new StorageError(code, `${what} failed: ${advice[code]} (${name}: ${detail})`, { cause: error })
}

/** A compaction record that cannot be trusted: the events it summarises are gone, so nothing can rebuild what it held. */
const damagedHorizon = (problem: string) =>
  new StorageError('corrupt', `The compaction record of this log cannot be trusted (${problem}). The events it summarises were removed, so read models and undo cannot be rebuilt from the log; restore the database from a backup or a server, or delete it.`)
