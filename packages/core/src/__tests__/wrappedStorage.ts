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
