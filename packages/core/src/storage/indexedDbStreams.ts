import type { IndexedDbLog, StreamMarker } from './indexedDbSchema'
import type { StreamRead, StreamSnapshot, StreamStorage } from './storage'

// The write model's reads of the IndexedDB event log: many streams in one transaction, and the
// ids of every stream (each has a record in `streams` since schema 4: its compaction snapshot, or
// a marker written by the append that created it).

/** Stream ids read per request when listing them all. */
const idPage = 50_000

/** The `streams` part of an IndexedDB log (see `StreamStorage`). */
export function indexedDbStreams({ db, guard }: IndexedDbLog): StreamStorage {
  return {
    readStreams: (streams) =>
      guard('Reading streams', async () => {
        const tx = db.transaction(['events', 'streams'])
        const index = tx.objectStore('events').index('stream')
        const records = tx.objectStore('streams')
        // Every request at once: one round trip for the whole batch. A snapshot's events are gone
        // from the log, so the stream's events in the log are exactly those after it.
        const reads = await Promise.all(
          streams.map(async (stream) => {
            const [record, events] = await Promise.all([records.get(stream), index.getAll(IDBKeyRange.bound([stream, 0], [stream, Infinity]))])
            return [stream, { snapshot: snapshotOf(record), events }] as const
          }),
        )
        return new Map<string, StreamRead>(reads)
      }),

    streamIds: () =>
      guard('Listing streams', async () => {
        const ids: string[] = []
        for (let after: string | undefined; ; ) {
          const page = await db.getAllKeys('streams', after === undefined ? undefined : IDBKeyRange.lowerBound(after, true), idPage)
          for (const id of page) ids.push(id)
          if (page.length < idPage) return ids
          after = page.at(-1)
        }
      }),
  }
}

/** A stream's compaction snapshot from its record in `streams`; a stream's marker (schema 4) is none. */
export const snapshotOf = (record: StreamSnapshot | StreamMarker | undefined): StreamSnapshot | undefined => (record && 'aggregate' in record ? record : undefined)

/** The marker that says a stream exists (schema 4), for a stream without a compaction snapshot. */
export const streamMarker = (stream: string): StreamMarker => ({ stream, version: 0 })

/**
 * Schema 4's step: a marker in `streams` for every stream of the log that has no record there yet,
 * reading the `[stream, version]` index one stream at a time (a key cursor that jumps to the next
 * stream), inside the upgrade's transaction.
 */
export function markEveryStream(events: IDBObjectStore, streams: IDBObjectStore): void {
  const known = streams.getAllKeys()
  known.onsuccess = () => {
    const marked = new Set(known.result as string[])
    const cursor = events.index('stream').openKeyCursor()
    cursor.onsuccess = () => {
      const at = cursor.result
      if (!at) return
      const stream = (at.key as [string, number])[0]
      if (!marked.has(stream)) streams.put(streamMarker(stream))
      at.continue([stream, Infinity])
    }
  }
}
