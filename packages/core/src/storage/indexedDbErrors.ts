import { StorageError, type StorageErrorCode } from '../errors'

// What IndexedDB throws, as the StorageError a caller can branch on: a code and a message that
// says what to do next.

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
export const damagedHorizon = (problem: string) =>
  new StorageError('corrupt', `The compaction record of this log cannot be trusted (${problem}). The events it summarises were removed, so read models and undo cannot be rebuilt from the log; restore the database from a backup or a server, or delete it.`)

/**
 * The guard of an open log's operations: refuses with StorageError `closed` once `isClosed()` says
 * so, fails work still under way when `terminated` rejects (the browser closed the connection:
 * Chromium does not always settle the transactions it aborted then), and maps whatever the work
 * throws with `toStorageError`.
 */
export function createGuard(isClosed: () => boolean, terminated: Promise<never>): <T>(what: string, work: () => Promise<T>) => Promise<T> {
  return async (what, work) => {
    if (isClosed()) throw new StorageError('closed', `${what}: the event log is closed; create a new store (or reload) to keep working.`)
    try {
      return await Promise.race([work(), terminated])
    } catch (error) {
      throw toStorageError(error, what)
    }
  }
}

/**
 * A request whose outcome its transaction reports (the caller awaits the transaction's `done`).
 * When the transaction aborts (the browser closed the connection, storage was cleared), every
 * request of it fails as well: handled here, so that is no unhandled rejection on the page.
 */
export function unawaited(request: Promise<unknown>): void {
  request.catch(() => undefined)
}
