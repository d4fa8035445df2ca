import type { EventEnvelope } from '@chronicle/core'
import { createListeners, type ServerEventLog } from './storage/serverStorage'

/**
 * The server's view of the log's end for live updates: the most recent events in memory, read
 * once per commit however many WebSockets want them. Older positions are read from the log.
 */
export interface Tail {
  /** The last position the tail has read. */
  readonly head: number
  /** Events with `after < seq <= head`, at most `limit`: from memory when recent enough. */
  read(after: number, limit: number): Promise<EventEnvelope[]>
  /** Called after the tail has read new events. */
  onGrow(listener: () => void): () => void
  close(): void
}

const pageSize = 1000

/** Starts a tail at the log's current head; it follows the log's `onAppended` news. */
export async function createTail(log: ServerEventLog, options: { readonly keep: number; readonly report: (error: unknown) => void }): Promise<Tail> {
  let head = await log.head()
  const recent: EventEnvelope[] = []
  const grew = createListeners<void>()
  let refreshing: Promise<void> | undefined
  let again = false
  let closed = false

  const refresh = (): Promise<void> => {
    if (refreshing) {
      again = true
      return refreshing
    }
    refreshing = (async () => {
      do {
        again = false
        for (;;) {
          const page = await log.readLog(head, { limit: pageSize })
          if (page.length === 0 || closed) break
          recent.push(...page)
          head = page.at(-1)!.seq
          if (recent.length > options.keep) recent.splice(0, recent.length - options.keep)
          grew.emit()
          if (page.length < pageSize) break
        }
      } while (again && !closed)
    })()
      .catch((error: unknown) => options.report(error))
      .finally(() => {
        refreshing = undefined
      })
    return refreshing
  }

  const stopListening = log.onAppended((newHead) => {
    if (newHead > head && !closed) void refresh()
  })

  return {
    get head() {
      return head
    },
    async read(after, limit) {
      if (after >= head) return []
      const first = recent[0]
      if (first && after >= first.seq - 1) {
        const start = indexAfter(recent, after)
        return recent.slice(start, start + limit)
      }
      return log.readLog(after, { to: head, limit })
    },
    onGrow: (listener) => grew.add(() => listener()),
    close() {
      closed = true
      stopListening()
      grew.clear()
    },
  }
}

/**
 * Index of the first event with seq > after. Seqs are gapless, so the arithmetic guess is exact;
 * the adjustments only keep it right if a log ever had gaps.
 */
function indexAfter(events: readonly EventEnvelope[], after: number): number {
  let i = Math.max(0, Math.min(events.length, after - events[0]!.seq + 1))
  while (i > 0 && events[i - 1]!.seq > after) i--
  while (i < events.length && events[i]!.seq <= after) i++
  return i
}
