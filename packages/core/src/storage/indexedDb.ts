import { unwrap, type IDBPDatabase } from 'idb'
import { StorageError } from '../errors'
import type { EventEnvelope } from '../event'
import { defaultPartEntries } from './checkpointParts'
import { appendToLog } from './indexedDbAppend'
import { deleteCheckpoint, loadCheckpoints, saveCheckpoints } from './indexedDbCheckpoints'
import { indexedDbCompaction } from './indexedDbCompaction'
import { createGuard } from './indexedDbErrors'
import type { HorizonRecord } from './indexedDbHorizon'
import { migrations, type Migration } from './indexedDbLayout'
import { openConnection, withHandledTransactions } from './indexedDbOpen'
import { indexedDbOutbox } from './indexedDbOutbox'
import type { ChronicleDb, IndexedDbLog } from './indexedDbSchema'
import { indexedDbStreams } from './indexedDbStreams'
import type { EventLogStorage, StorageBackend, StorageSignal } from './storage'

// The IndexedDB event log, put together from its parts: the connection and its upgrades
// (indexedDbOpen.ts, indexedDbLayout.ts), appends (indexedDbAppend.ts), checkpoints
// (indexedDbCheckpoints.ts), compaction (indexedDbCompaction.ts, indexedDbHorizon.ts), the sync
// outbox (indexedDbOutbox.ts), the write model's reads (indexedDbStreams.ts) and errors
// (indexedDbErrors.ts). The other reads are here.

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
  const listeners = new Set<(signal: StorageSignal) => void>()
  let closed = false
  let terminate: (error: StorageError) => void = () => undefined
  const terminated = new Promise<never>((_, reject) => {
    terminate = reject
  })
  terminated.catch(() => undefined)
  const opened = await openConnection(dbName, {
    layout,
    blockedTimeout: options.blockedTimeout ?? 5000,
    onTerminated() {
      closed = true
      terminate(new StorageError('closed', `The browser closed the connection to the event log "${dbName}". Reload to keep working.`))
    },
    onLost(signal) {
      closed = true
      for (const listener of listeners) listener(signal)
    },
  })
  const durability = options.durability ?? 'default'
  const db = withHandledTransactions(opened)
  const log: IndexedDbLog = {
    db,
    rawDb: unwrap(opened),
    // No options bag for the browser's default: Chromium 156 spends ~20 µs reading one per
    // transaction, about a tenth of a one-event append's time on the page's thread.
    writing: durability === 'default' ? undefined : { durability },
    partEntries: options.checkpointPartSize ?? defaultPartEntries,
    guard: createGuard(() => closed, terminated),
  }
  const { guard } = log

  return {
    head: () =>
      guard('Reading the log head', async () => {
        const tx = db.transaction(['events', 'meta'])
        const cursor = await tx.objectStore('events').openKeyCursor(null, 'prev')
        // Compaction may remove every event: the head is then the horizon.
        return cursor ? cursor.key : (((await tx.objectStore('meta').get('horizon')) as HorizonRecord | undefined)?.position ?? 0)
      }),

    append: (commands, appendOptions) => guard('Appending events', () => appendToLog(log, commands, appendOptions)),

    readStream: (stream, afterVersion) =>
      guard(`Reading stream ${stream}`, () =>
        db.getAllFromIndex('events', 'stream', IDBKeyRange.bound([stream, afterVersion], [stream, Infinity], true, false)),
      ),

    readLog: (after, range = {}) =>
      guard('Reading the log', () => db.getAll('events', IDBKeyRange.bound(after, range.to ?? Infinity, true, false), range.limit)),

    readCommand: (commandId) =>
      guard('Reading a command', async () => {
        const record = await db.get('commands', commandId)
        if (!record) return scanForCommand(db, commandId)
        return (await db.getAll('events', IDBKeyRange.bound(record.first, record.last))).filter((e) => e.meta?.commandId === commandId)
      }),

    findCommand: (commandId) =>
      guard('Finding a command', async () => {
        const record = await db.get('commands', commandId)
        return record && { position: record.last, ...(record.fingerprint !== undefined ? { fingerprint: record.fingerprint } : {}) }
      }),

    loadCheckpoints: () => guard('Loading checkpoints', () => loadCheckpoints(db)),

    saveCheckpoints: (checkpoints) => guard('Saving checkpoints', () => saveCheckpoints(db, checkpoints, log.partEntries)),

    deleteCheckpoint: (name) => guard('Deleting a checkpoint', () => deleteCheckpoint(db, name)),

    compaction: indexedDbCompaction(log),

    outbox: indexedDbOutbox(log),

    streams: indexedDbStreams(log),

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
