import { freeze as deepFreeze, type Immer } from 'immer'
import type { Emitter } from './emitter'
import type { ProjectionError } from './errors'
import type { EventEnvelope } from './event'
import type { AnyProjectionDefinition } from './projection'
import type { FoldResult } from './snapshots'
import { isHistoryEvent } from './undoEvents'

type Handler = (draft: unknown, payload: unknown, envelope: EventEnvelope) => void

/** One projection's read model: its live state, its position, its failure and its subscribers. */
export interface ReadModel {
  readonly index: number
  readonly definition: AnyProjectionDefinition
  readonly handlers: Record<string, Handler | undefined>
  /** The live state (frozen). Reading it first folds the pending events, if any. */
  state: unknown
  /** The state as last folded, without the pending events. */
  folded: unknown
  /**
   * Live events not folded yet: a read model that nobody watches folds its live events when it
   * is next read (a read, a subscription, a checkpoint, a snapshot) instead of once per commit.
   */
  pending: { readonly from: number; readonly events: EventEnvelope[]; last: number } | undefined
  /** The log position this read model has applied. */
  position: number
  error: ProjectionError | undefined
  readonly changed: Emitter<void>
}

/**
 * Above this many events, a catch-up folds on a private mutable copy instead of an immer draft.
 * The copy is a structuredClone of the whole state plus a deep freeze, so it only pays off when the
 * events far outnumber what one draft would copy; it stays above the group-commit size (1,000) so
 * live batches take the draft. Measured in Chromium 156, filling a 100,000-event log through the
 * store in bursts: 41 s with the threshold at 256 (a clone of the whole read model per batch),
 * 30 s at 4,096.
 */
export const mutableFoldThreshold = 4096

/** Watched read models' states folded while their events commit (sparse, by model index). */
export interface Speculation {
  readonly events: readonly EventEnvelope[]
  readonly base: number
  readonly from: readonly unknown[]
  readonly next: readonly unknown[]
}

/** A handler's failure: the event it threw on, and what it threw. */
export interface FoldFailure {
  readonly event: EventEnvelope
  readonly cause: unknown
}

/**
 * How read models fold events: one immer produce per batch for live updates (structural sharing
 * is what React needs), handlers run directly on a private mutable copy for replay and large
 * catch-ups, and unwatched read models keep their live events until they are read.
 */
export class ReadModelFold {
  constructor(
    private readonly immer: Immer,
    private readonly freezing: boolean,
    /** The commands whose events no fold counts (undone at the head). */
    private readonly undone: () => ReadonlySet<string>,
    /** Records and reports a handler's failure on a model. */
    private readonly fail: (model: ReadModel, event: EventEnvelope, cause: unknown) => void,
  ) {}

  /** Deep-freezes a state the store hands out (in development; as it is in production). */
  freeze<T>(state: T): T {
    return this.freezing ? deepFreeze(state, true) : state
  }

  /** Whether `event` changes `model`: it has a handler for it, and its command is not left out. */
  counts(model: ReadModel, event: EventEnvelope, exclude: ReadonlySet<string>): boolean {
    return model.handlers[event.type] !== undefined && !isHistoryEvent(event.type) && !exclude.has(event.meta.commandId)
  }

  /** Runs handlers on a mutable state, moving the model's position; returns the failing event and its cause, if any. */
  mutable(model: ReadModel, state: unknown, events: readonly EventEnvelope[], exclude: ReadonlySet<string>): FoldFailure | undefined {
    for (const event of events) {
      if (event.seq <= model.position) continue
      if (this.counts(model, event, exclude)) {
        try {
          model.handlers[event.type]!(state, event.payload, event)
        } catch (cause) {
          return { event, cause }
        }
      }
      model.position = event.seq
    }
    return undefined
  }

  /** One immer produce over `events` (structural sharing); reports the failing event instead of throwing. */
  readonly draft = (model: ReadModel, state: unknown, events: readonly EventEnvelope[], exclude: ReadonlySet<string>): FoldResult => {
    let failure: FoldFailure | undefined
    const next = this.immer.produce(state, (draft: unknown) => {
      for (const event of events) {
        if (!this.counts(model, event, exclude)) continue
        try {
          model.handlers[event.type]!(draft, event.payload, event)
        } catch (cause) {
          failure = { event, cause }
          return
        }
      }
    })
    return { next, failure }
  }

  /** Live path: one produce per model for a committed batch. Returns whether the model moved. */
  live(model: ReadModel, events: readonly EventEnvelope[], last: number): boolean {
    if (model.error) return false
    const undone = this.undone()
    const relevant = events.filter((e) => e.seq > model.position && this.counts(model, e, undone))
    if (relevant.length === 0) {
      model.position = last
      return false
    }
    if (relevant.length > mutableFoldThreshold) {
      const state = structuredClone(model.state)
      const before = model.position
      const failed = this.mutable(model, state, relevant, undone)
      if (failed) {
        model.position = before
        this.fail(model, failed.event, failed.cause)
        return true
      }
      model.state = this.freeze(state)
      model.position = last
      return true
    }
    const { next, failure } = this.draft(model, model.state, relevant, undone)
    if (failure) {
      // Keep what the events before the failing one did, without the failing handler's half-work.
      const before = relevant.slice(0, relevant.indexOf(failure.event))
      model.state = before.length ? this.draft(model, model.state, before, undone).next : model.state
      model.position = before.at(-1)?.seq ?? model.position
      this.fail(model, failure.event, failure.cause)
      return true
    }
    model.state = next
    model.position = last
    return true
  }

  /** Folds a read model's pending live events (reading `model.state` does this). */
  pending(model: ReadModel): void {
    const { from, events, last } = model.pending!
    model.pending = undefined
    model.position = from
    this.live(model, events, last)
  }

  /** Live events for a read model nobody watches: kept until it is read, then folded in one go. */
  defer(model: ReadModel, events: readonly EventEnvelope[], last: number): void {
    if (model.error) return
    const relevant = events.filter((e) => e.seq > model.position && model.handlers[e.type] !== undefined && !isHistoryEvent(e.type))
    if (relevant.length > 0) {
      const pending = (model.pending ??= { from: model.position, events: [], last })
      for (const event of relevant) pending.events.push(event)
    }
    if (model.pending) model.pending.last = last
    model.position = last
  }
}
