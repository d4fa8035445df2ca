import type { EventEnvelope, Store } from '@chronicle/core'

/**
 * Where an event stands. `confirmed`: in the log and in effect. `undone`: its command was taken
 * back by an `Undone` event. `pending`: written provisionally and not yet confirmed by a server
 * (what a sync engine reports through its own status function).
 */
export type EventStatus = 'pending' | 'confirmed' | 'undone'

/**
 * Decides the status column of the timeline. Pass your own to `<ChronicleDevtools status={...} />`
 * when something else knows more (a sync engine knows which events are still pending).
 *
 * @example
 * const status: EventStatusFunction = (event, store) =>
 *   outbox.has(event.meta.commandId) ? 'pending' : defaultEventStatus(event, store)
 */
export type EventStatusFunction = (envelope: EventEnvelope, store: Store) => EventStatus

/** The status a store alone can tell: `undone` when the event's command is undone now, else `confirmed`. */
export const defaultEventStatus: EventStatusFunction = (envelope, store) =>
  store.history.isUndone(envelope.meta.commandId) ? 'undone' : 'confirmed'
