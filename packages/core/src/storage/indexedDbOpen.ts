import { openDB, unwrap, type IDBPDatabase } from 'idb'
import { StorageError } from '../errors'
import { toStorageError } from './indexedDbErrors'
import { layoutStores, type Migration } from './indexedDbLayout'
import type { ChronicleDb } from './indexedDbSchema'
import type { StorageSignal } from './storage'

/** How `openConnection` opens a database. */
export interface OpenConnectionOptions {
  /** The database layout: its length is the schema version asked for. */
  readonly layout: readonly Migration[]
  /** How long an open that needs an upgrade waits for older connections to close, in ms. */
  readonly blockedTimeout: number
  /**
   * Called once when the connection ends by someone else's doing: another tab opens a newer
   * schema or deletes the database (this connection closes first), or the browser closes it
   * (`deleted` when the database is gone with it, as after clearing site data).
   */
  readonly onLost: (signal: StorageSignal) => void
  /** Called at once when the browser closes the connection, before `onLost` tells why. */
  readonly onTerminated: () => void
}

/**
 * Opens database `dbName` at the layout's version, running every step of the layout in the
 * upgrade (each adds only what is missing, indexedDbLayout.ts). Fails with StorageError: `blocked`
 * when an older connection keeps the upgrade waiting longer than `blockedTimeout`, the mapped
 * code of a step that threw (the upgrade aborted, the database as it was), `version-change` when
 * a newer build owns the database, `corrupt` when a database at this version lacks the layout.
 */
export async function openConnection(dbName: string, { layout, blockedTimeout, onLost, onTerminated }: OpenConnectionOptions): Promise<IDBPDatabase<ChronicleDb>> {
  if (typeof indexedDB === 'undefined') throw new StorageError('unavailable', 'IndexedDB is not available here; pass storage: memoryStorage() for tests and SSR.')
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
        blockedTimeout,
      )
    },
    blocking(_current, blockedVersion, event) {
      // Another tab opens a newer schema, or deletes the database: step aside instead of
      // blocking it, and tell the store.
      ;(event.target as IDBDatabase).close()
      onLost({ type: 'version-change', newVersion: blockedVersion })
    },
    terminated() {
      // Every transaction of the connection was aborted before this event: nothing in flight can
      // commit any more.
      onTerminated()
      // Clearing site data or an eviction deletes the database; other causes (a failing disk)
      // leave it there. Which one it was, the list of databases tells.
      void whetherDeleted(dbName).then((deleted) =>
        onLost(
          deleted
            ? { type: 'deleted', reason: `The browser deleted the event log "${dbName}" (site data cleared, or storage evicted) and closed its connection.` }
            : { type: 'closed', reason: `The browser closed the connection to the event log "${dbName}".` },
        ),
      )
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
  return db
}

/**
 * Whether database `dbName` is gone; false when the browser cannot tell (no `indexedDB.databases`,
 * or no answer).
 */
async function whetherDeleted(dbName: string): Promise<boolean> {
  // While Chromium 156 deletes an origin's data it never answers a `databases()` asked meanwhile
  // (not even once the deletion is over): ask again, a few times, until one answers.
  for (let attempt = 0; attempt < 6; attempt++) {
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      const databases = await Promise.race([
        indexedDB.databases(),
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), 500)
        }),
      ])
      if (databases) return !databases.some((database) => database.name === dbName)
    } catch {
      return false
    } finally {
      clearTimeout(timer)
    }
  }
  return false
}

/**
 * `db` whose transactions never leave a rejected `done` unhandled. idb makes every transaction's
 * `done` promise up front, and its shortcuts (`db.get`, `db.getAll`, ...) never await it for reads:
 * when the browser aborts a transaction (it closed the connection because site data was cleared,
 * say), that promise would reach the page as an unhandled rejection (`UnknownError`,
 * `AbortError`). Callers still see the failure where they await a request or `done`.
 */
export function withHandledTransactions(db: IDBPDatabase<ChronicleDb>): IDBPDatabase<ChronicleDb> {
  const open = db.transaction.bind(db) as (...args: unknown[]) => { readonly done: Promise<void> }
  const transaction = (...args: unknown[]) => {
    const tx = open(...args)
    tx.done.catch(() => undefined)
    return tx
  }
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'transaction') return transaction
      const value: unknown = Reflect.get(target, property, receiver)
      // IndexedDB's own methods run on idb's wrapper; idb's shortcuts (get, getAll, ...) keep this
      // proxy as `this`, so the transactions they open are the handled ones above.
      return typeof value === 'function' && property in IDBDatabase.prototype ? value.bind(target) : value
    },
  })
}
