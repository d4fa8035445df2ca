// Memory storage with some methods of its logs wrapped, to count or record what the store asks of
// them: the real memory storage still does the work underneath.
import { memoryStorage, type StorageBackend } from '../index'
import { type EventLogStorage } from '../storage/index'

/** A memory storage whose opened logs take `wrap(log)`'s methods in place of their own; `inner` opens the same logs unwrapped. */
export function wrappedMemoryStorage(wrap: (log: EventLogStorage) => Partial<EventLogStorage>): { storage: StorageBackend; inner: StorageBackend } {
  const inner = memoryStorage()
  const storage: StorageBackend = {
    kind: 'memory',
    async open(name) {
      const log = await inner.open(name)
      return { ...log, ...wrap(log) }
    },
  }
  return { storage, inner }
}

/** `log`'s stream reads (one stream, or several at once), each telling `count` how many events it read of which stream. */
export function countedStreamReads(log: EventLogStorage, count: (stream: string, events: number) => void): Partial<EventLogStorage> {
  return {
    async readStream(stream, after) {
      const events = await log.readStream(stream, after)
      count(stream, events.length)
      return events
    },
    ...(log.streams && {
      streams: {
        ...log.streams,
        async readStreams(streams) {
          const found = await log.streams!.readStreams(streams)
          for (const [stream, { events }] of found) count(stream, events.length)
          return found
        },
      },
    }),
  }
}
