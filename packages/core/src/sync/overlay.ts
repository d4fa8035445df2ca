import type { EventEnvelope } from '../event'
import { isHistoryEvent, UNDONE, type UndoPayload } from '../undoEvents'
import type { Overlay, OverlayContext, OverlayModel } from '../overlayTypes'
import type { Snapshot } from '../snapshots'

/**
 * With sync on: the provisional events of the outbox, folded on top of the confirmed states (see `Overlay`).
 */
export function createOverlay<M extends OverlayModel>(context: OverlayContext<M>): Overlay {
  const { models } = context
  let events: readonly EventEnvelope[] = []
  let states: readonly unknown[] | undefined
  /** Bumped by every computation; an older one that finishes late is dropped. */
  let generation = 0

  /**
   * The confirmed states as they would be with `undone` as the undo state, where `changed` are
   * the confirmed commands whose undo state differs from the log's. Undefined when that needs a
   * fold from events not in memory (pass `zero`, the origin snapshot, once they are loaded).
   */
  const confirmedWith = (undone: ReadonlySet<string>, changed: readonly string[], zero?: Snapshot): readonly unknown[] | undefined => {
    const timeline = context.timeline()
    const firsts = changed.map((id) => timeline.firstOf(id))
    const known = firsts.filter((first): first is number => first !== undefined)
    // Commands not in memory may be older than the in-memory events (or gone after compaction).
    if (known.length < firsts.length && !zero && timeline.start > (context.horizon()?.position ?? 0)) return undefined
    if (known.length === 0) return models.map((m) => m.state)
    const snapshot = context.snapshots.latestBefore(Math.min(...known) - 1) ?? zero
    if (!snapshot || snapshot.position < timeline.start) return undefined
    const range = timeline.range(snapshot.position, timeline.head)
    return models.map((model, index) => {
      if (model.error) return model.state
      const { next, failure } = context.fold(model, snapshot.states[index], range, undone)
      return failure ? model.state : next
    })
  }

  return {
    get states() {
      return states
    },
    get active() {
      return events.length > 0
    },
    set(next) {
      events = next
    },
    compute() {
      const current = ++generation
      const timeline = context.timeline()
      // A command whose confirmed events have arrived (the outbox has not caught up yet, or another
      // tab received them) is shown once, as confirmed: never twice, not even for a moment.
      const pendingEvents = events.filter((event) => isHistoryEvent(event.type) || timeline.firstOf(event.meta.commandId) === undefined)
      if (pendingEvents.length === 0) {
        states = undefined
        return
      }
      const undone = new Set(timeline.undone)
      const pendingCommands = new Set<string>()
      for (const event of pendingEvents) {
        if (!isHistoryEvent(event.type)) pendingCommands.add(event.meta.commandId)
        else if (event.type === UNDONE) undone.add((event.payload as UndoPayload).commandId)
        else undone.delete((event.payload as UndoPayload).commandId)
      }
      const changed = [...new Set([...undone, ...timeline.undone])].filter((id) => undone.has(id) !== timeline.undone.has(id) && !pendingCommands.has(id))
      const build = (confirmed: readonly unknown[]) => {
        states = models.map((model, index) => {
          const state = confirmed[index]
          if (model.error) return model.state
          // A provisional event a handler cannot take is not shown; the server will decide on it.
          const { next, failure } = context.fold(model, state, pendingEvents, undone)
          return failure ? state : next
        })
      }
      const confirmed = confirmedWith(undone, changed)
      if (confirmed) return build(confirmed)
      return context.snapshots.fromZero().then((zero) => {
        if (current === generation) build(confirmedWith(undone, changed, zero) ?? models.map((m) => m.state))
      })
    },
  }
}
