import type { EventEnvelope } from '@chronicle/core'
import type { ServerEventLog } from './storage/serverStorage'

/** Most commits remembered for answers not yet taken (a push takes its own right after committing). */
const maxRemembered = 100_000

/**
 * The server store's log, with the events each command committed remembered by commandId, so a
 * push answers with them without reading them back from the database.
 */
export interface CommitLog {
  /** The log to give the server's store: appends go through and are remembered. */
  readonly log: ServerEventLog
  /** The events `commandId` committed through this log (once; undefined when not remembered). */
  take(commandId: string): readonly EventEnvelope[] | undefined
}

/** Wraps `inner`'s append; `onCommitted` hears of each batch's committed events in log order (the live tail takes them). */
export function rememberCommits(inner: ServerEventLog, onCommitted: (events: readonly EventEnvelope[]) => void): CommitLog {
  const committed = new Map<string, readonly EventEnvelope[]>()
  return {
    log: {
      ...inner,
      async append(commands, options) {
        const outcomes = await inner.append(commands, options)
        // A command whose answer nobody took (its push failed after committing) is not kept forever.
        if (committed.size > maxRemembered) committed.clear()
        const events: EventEnvelope[] = []
        outcomes.forEach((outcome, i) => {
          if (outcome.status !== 'ok') return
          committed.set(commands[i]!.commandId, outcome.events)
          events.push(...outcome.events)
        })
        onCommitted(events.sort((a, b) => a.seq - b.seq))
        return outcomes
      },
    },
    take(commandId) {
      const events = committed.get(commandId)
      committed.delete(commandId)
      return events
    },
  }
}
