import type { IndexedDbLog } from './indexedDbSchema'
import type { SavedStreamDirectory, StreamRead, StreamStorage } from './storage'

// The write model's side of the IndexedDB event log: many streams read in one transaction, and the
// store's directory of streams (`meta` 'streams'), saved with its checkpoints.

/** The `streams` part of an IndexedDB log (see `StreamStorage`). */
export function indexedDbStreams({ db, writing, guard }: IndexedDbLog): StreamStorage {
  return {
    readStreams: (streams, compacted = () => true) =>
      guard('Reading streams', async () => {
        const tx = db.transaction(['events', 'streams'])
        const index = tx.objectStore('events').index('stream')
        const snapshots = tx.objectStore('streams')
        // Every request at once: one round trip for the whole batch. A snapshot's events are gone
        // from the log, so the stream's events in the log are exactly those after it.
        const reads = await Promise.all(
          streams.map(async (stream) => {
            const [snapshot, events] = await Promise.all([compacted(stream) ? snapshots.get(stream) : undefined, index.getAll(IDBKeyRange.bound([stream, 0], [stream, Infinity]))])
            return [stream, { snapshot, events }] as const
          }),
        )
        return new Map<string, StreamRead>(reads)
      }),

    loadDirectory: () =>
      guard('Reading the stream directory', async () => {
        const saved = (await db.get('meta', 'streams')) as Partial<SavedStreamDirectory> | undefined
        // Anything else (a damaged record) is as if none was saved: the log is read instead.
        if (!saved || typeof saved.position !== 'number' || !(saved.hashes instanceof Uint32Array)) return undefined
        return { position: saved.position, hashes: saved.hashes, ...(Array.isArray(saved.states) ? { states: saved.states } : {}) }
      }),

    compactedStreams: () => guard('Listing compacted streams', () => db.getAllKeys('streams')),

    saveDirectory: (directory) =>
      guard('Saving the stream directory', async () => {
        const tx = db.transaction('meta', 'readwrite', writing)
        const meta = tx.objectStore('meta')
        // Another tab may have saved a later one meanwhile: keep the later.
        const saved = (await meta.get('streams')) as Partial<SavedStreamDirectory> | undefined
        if (typeof saved?.position !== 'number' || saved.position < directory.position) await meta.put(directory, 'streams')
        await tx.done
      }),
  }
}
