import type { EventEnvelope } from '@chronicle/core'
import { createListeners, type ServerEventLog } from './storage/serverStorage'

/**
 * The server's view of the log's end for live updates: the most recent events in memory, read
 * once per commit however many WebSockets want them. Older positions are read from the log.
 */
export interface Tail {
  /** The last position the tail has read. */
  readonly head: number
  /**
   * Events with `after < seq <= head`, at most `limit`, of the given scopes only (all when null):
   * from memory when recent enough, else from the log (by its scope index). `next` is where the
   * read stopped looking: the last event's seq when the page is full, else the head.
   */
  read(after: number, limit: number, scopes?: readonly string[] | null): Promise<{ events: EventEnvelope[]; next: number }>
  /**
   * Events this process just committed, in order: taken as read when they follow the tail's head
   * directly (else the tail reads the log as usual), so a process's own commits are not read back.
   */
  offer(events: readonly EventEnvelope[]): void
  /** Called after the tail has read new events. */
  onGrow(listener: () => void): () => void
  close(): void
}

const pageSize = 1000

/** Starts a tail at the log's current head; it follows the log's `onAppended` news. */
export async function createTail(
  log: ServerEventLog,
  options: { readonly keep: number; readonly report: (error: unknown) => void; readonly scopeOf?: (stream: string) => string | null },
): Promise<Tail> {
  let head = await log.head()
  const recent: EventEnvelope[] = []
  // Each recent event's scope, computed once for every socket that reads it.
  const recentScopes: string[] = []
  const grew = createListeners<void>()
  const scopeOf = (stream: string) => {
    try {
      return options.scopeOf?.(stream) ?? ''
    } catch (error) {
      options.report(error)
      return ''
    }
  }
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
          // Events offered while the page was read are there already.
          take(page.filter((event) => event.seq > head))
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

  const take = (events: readonly EventEnvelope[]) => {
    if (events.length === 0) return
    recent.push(...events)
    if (options.scopeOf) for (const event of events) recentScopes.push(scopeOf(event.stream))
    head = events.at(-1)!.seq
    if (recent.length > options.keep) {
      recent.splice(0, recent.length - options.keep)
      if (options.scopeOf) recentScopes.splice(0, recentScopes.length - options.keep)
    }
    grew.emit()
  }

  // After the commit that announced it has had its chance to offer its events (see `offer`).
  const stopListening = log.onAppended((newHead) =>
    setImmediate(() => {
      if (newHead > head && !closed) void refresh()
    }),
  )

  return {
    get head() {
      return head
    },
    async read(after, limit, scopes) {
      const to = head
      if (after >= to) return { events: [], next: after }
      const first = recent[0]
      if (first && after >= first.seq - 1) {
        const start = indexAfter(recent, after)
        if (!scopes || !options.scopeOf) {
          const events = recent.slice(start, start + limit)
          return { events, next: events.length === limit ? events.at(-1)!.seq : to }
        }
        const wanted = new Set(scopes)
        const events: EventEnvelope[] = []
        for (let i = start; i < recent.length && events.length < limit; i++) if (wanted.has(recentScopes[i]!)) events.push(recent[i]!)
        return { events, next: events.length === limit ? events.at(-1)!.seq : to }
      }
      const events = scopes && options.scopeOf ? await log.readScoped(after, { to, limit }, scopes) : await log.readLog(after, { to, limit })
      return { events, next: events.length === limit ? events.at(-1)!.seq : to }
    },
    offer(events) {
      if (!closed && events[0]?.seq === head + 1) take(events)
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
