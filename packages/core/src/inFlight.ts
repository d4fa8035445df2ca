import type { EventEnvelope } from './event'
import { mutableFoldThreshold, type ReadModel, type ReadModelFold, type Speculation } from './readModelFold'
import { isHistoryEvent } from './undoEvents'

/** What `InFlight.stateOf` answers for a read model the batch does not change (a state may be undefined or null). */
export const unchanged: unique symbol = Symbol('unchanged')

/** A speculation being filled: models not watched are folded when first read (`looked`). */
interface Ahead extends Speculation {
  readonly from: unknown[]
  readonly next: unknown[]
  readonly looked: boolean[]
}

/**
 * The batch the dispatcher is committing, folded ahead on the positions its events will get
 * (optimistic read models). Watched read models fold it at once; the others when they are read
 * while it is in flight. When the store shows provisional events (the default), read models show
 * these states until the commit is applied (`take`, then published as the confirmed states with
 * the same identity when the commit went as predicted) or fails (`drop`: back to the confirmed
 * states, in one notification).
 */
export class InFlight {
  #speculation: Ahead | undefined

  constructor(
    private readonly fold: ReadModelFold,
    private readonly models: readonly ReadModel[],
    private readonly undone: () => ReadonlySet<string>,
    /** Whether folded-ahead states are shown (false: `createStore({ optimistic: false })`). */
    private readonly shown: boolean,
    /** The state a model shows under the batch: its confirmed state, or with sync the outbox's provisional one. */
    private readonly base: (model: ReadModel) => unknown,
  ) {}

  /** Whether a batch is shown ahead of its commit. */
  get active(): boolean {
    return this.shown && this.#speculation !== undefined
  }

  /** The events being committed, when they are shown. */
  get events(): readonly EventEnvelope[] {
    return this.active ? this.#speculation!.events : []
  }

  /**
   * Folds `events` (numbered as they will be) ahead onto the read models at `base`; returns the
   * read models whose shown state changed, to notify (none when the store shows committed events
   * only, or when the batch is not folded ahead: a handler threw, an undo or redo is in it, or it
   * is larger than a live batch).
   */
  speculate(events: readonly EventEnvelope[], base: number): readonly ReadModel[] {
    const before = this.drop()
    if (events.length === 0 || events.length > mutableFoldThreshold || events.some((e) => isHistoryEvent(e.type))) return before
    const speculation: Ahead = { events, base, from: [], next: [], looked: [] }
    for (const model of this.models) {
      // Only watched read models are folded now; the others when they are read.
      if (!model.changed.observed) continue
      if (!this.#foldAhead(speculation, model)) return before
    }
    this.#speculation = speculation
    if (!this.shown) return before
    const changed = new Set(before)
    for (const model of this.models) if (model.index in speculation.next) changed.add(model)
    return [...changed]
  }

  /** Folds the batch onto one model; false when a handler threw (the ordinary path reports it). */
  #foldAhead(speculation: Ahead, model: ReadModel): boolean {
    speculation.looked[model.index] = true
    const undone = this.undone()
    const relevant = model.error ? [] : speculation.events.filter((e) => this.fold.counts(model, e, undone))
    if (relevant.length === 0) return true
    const state = this.base(model)
    const folded = this.fold.draft(model, state, relevant, undone)
    if (folded.failure) return false
    speculation.from[model.index] = state
    speculation.next[model.index] = folded.next
    return true
  }

  /** A read model's provisional state, or `unchanged` when the batch does not change it (or is not shown). */
  stateOf(model: ReadModel, head: number): unknown {
    const speculation = this.#speculation
    // Read models that moved without applying the batch (a cold start after another tab compacted) no longer match it.
    if (!speculation || !this.shown || speculation.base !== head) return unchanged
    if (!speculation.looked[model.index] && !this.#foldAhead(speculation, model)) return unchanged
    return model.index in speculation.next ? speculation.next[model.index] : unchanged
  }

  /** Whether `model` shows provisional events now. */
  shows(model: ReadModel, head: number): boolean {
    return this.stateOf(model, head) !== unchanged
  }

  /** The batch was committed (or the read models moved): hands over what was folded ahead, and forgets it. */
  take(): Speculation | undefined {
    const speculation = this.#speculation
    this.#speculation = undefined
    return speculation
  }

  /** The batch did not commit: forgets it; returns the read models that showed it (to notify). */
  drop(): readonly ReadModel[] {
    const speculation = this.take()
    if (!speculation || !this.shown) return []
    return this.models.filter((model) => model.index in speculation.next)
  }
}
