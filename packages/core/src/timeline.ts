import type { EventEnvelope } from './event'
import { isHistoryEvent, UNDONE, type UndoPayload } from './undoEvents'
import { indexAfter } from './positions'

/**
 * The events a store holds in memory, in log order, with what undo and time travel need to know
 * about them: where each command's events are, and which commands are undone at any position.
 * It may start after position 0 (a cold start from a checkpoint); older events are prepended
 * when time travel or an undo needs them.
 */
export interface Timeline {
  /** Events with `seq <= start` are not in memory. */
  readonly start: number
  readonly head: number
  readonly length: number
  append(events: readonly EventEnvelope[]): void
  /** Puts events that precede `start` in front (they must end at `start`). */
  prepend(events: readonly EventEnvelope[], newStart: number): void
  /** Events with `after < seq <= to`. */
  range(after: number, to: number): EventEnvelope[]
  /** Position of a command's first event, if it is in memory. */
  firstOf(commandId: string): number | undefined
  /** Commands undone at the head. */
  readonly undone: ReadonlySet<string>
  /** Commands undone as of position `p` (history events up to `p`). */
  undoneAt(p: number): Set<string>
  /** History events (Undone/Redone) with `seq > p`. */
  historyAfter(p: number): EventEnvelope[]
}

/**
 * `keepEvents: false` keeps only the head and the history events (what `undone` needs): for a
 * store without read models (the sync server's), which never folds and would otherwise hold its
 * whole log in memory, growing with every command for as long as the process runs.
 */
export function createTimeline(start = 0, options: { readonly keepEvents?: boolean } = {}): Timeline {
  const keepEvents = options.keepEvents ?? true
  let events: EventEnvelope[] = []
  let startSeq = start
  let headSeq = start
  const first = new Map<string, number>()
  let history: EventEnvelope[] = []
  const undone = new Set<string>()

  const index = (seq: number) => indexAfter(events, seq)
  const track = (event: EventEnvelope) => {
    if (isHistoryEvent(event.type)) return
    if (!first.has(event.meta.commandId)) first.set(event.meta.commandId, event.seq)
  }
  const replayUndo = (list: readonly EventEnvelope[], into: Set<string>) => {
    for (const event of list) {
      const target = (event.payload as UndoPayload).commandId
      if (event.type === UNDONE) into.add(target)
      else into.delete(target)
    }
    return into
  }

  return {
    get start() {
      return startSeq
    },
    get head() {
      return headSeq
    },
    get length() {
      return events.length
    },
    undone,
    append(batch) {
      for (const event of batch) {
        if (event.seq <= headSeq) continue
        headSeq = event.seq
        if (!keepEvents && !isHistoryEvent(event.type)) continue
        events.push(event)
        track(event)
        if (isHistoryEvent(event.type)) {
          history.push(event)
          replayUndo([event], undone)
        }
      }
    },
    prepend(older, newStart) {
      const kept = older.filter((e) => e.seq <= startSeq && (keepEvents || isHistoryEvent(e.type)))
      for (const event of kept) track(event)
      const olderHistory = kept.filter((e) => isHistoryEvent(e.type))
      events = [...kept, ...events]
      history = [...olderHistory, ...history]
      undone.clear()
      replayUndo(history, undone)
      startSeq = newStart
    },
    range(after, to) {
      return events.slice(index(after), index(to))
    },
    firstOf: (commandId) => first.get(commandId),
    undoneAt(p) {
      return replayUndo(
        history.filter((e) => e.seq <= p),
        new Set(),
      )
    },
    historyAfter(p) {
      return history.filter((e) => e.seq > p)
    },
  }
}
