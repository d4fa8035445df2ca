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
   * schema or deletes the database (this connection closes first), or the browser closes it.
   */
  readonly onLost: (signal: StorageSignal) => void
}

/**
 * Opens database `dbName` at the layout's version, running every step of the layout in the
 * upgrade (each adds only what is missing, indexedDbLayout.ts). Fails with StorageError: `blocked`
 * when an older connection keeps the upgrade waiting longer than `blockedTimeout`, the mapped
 * code of a step that threw (the upgrade aborted, the database as it was), `version-change` when
 * a newer build owns the database, `corrupt` when a database at this version lacks the layout.
 */
export async function openConnection(dbName: string, { layout, blockedTimeout, onLost }: OpenConnectionOptions): Promise<IDBPDatabase<ChronicleDb>> {
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
      onLost({ type: 'closed', reason: 'The browser closed the database connection (storage cleared or evicted).' })
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
