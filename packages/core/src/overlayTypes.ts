import type { EventEnvelope } from './event'
import type { FoldResult, Snapshot, Snapshots } from './snapshots'
import type { StoredHorizon } from './storage/storage'
import type { Timeline } from './timeline'

// The read side's view of the sync overlay (sync/overlay.ts implements it): read models take an
// overlay factory when the store syncs, so they need not import sync.

/** What the overlay needs of a read model. */
export interface OverlayModel {
  readonly index: number
  readonly error: unknown
  /** The confirmed live state. */
  readonly state: unknown
}

/** What the overlay reads of the read models (sync on): their confirmed side. */
export interface OverlayContext<M extends OverlayModel> {
  readonly models: readonly M[]
  timeline(): Timeline
  horizon(): StoredHorizon | undefined
  readonly snapshots: Pick<Snapshots, 'latestBefore' | 'fromZero'>
  /** One immer produce of `events` onto `state`. */
  fold(model: M, state: unknown, events: readonly EventEnvelope[], exclude: ReadonlySet<string>): FoldResult
}

/**
 * With sync on: the provisional events of the outbox, folded on top of the confirmed states; what
 * the read models show until the server has answered. Created by the read models only when the
 * store syncs (`syncOutbox` brings it), so a store without sync does not bundle it.
 */
export interface Overlay {
  /** Every read model's shown state, by model index; undefined when nothing provisional is shown. */
  readonly states: readonly unknown[] | undefined
  /** Whether there are provisional events (then every change of the confirmed states recomputes it). */
  readonly active: boolean
  /** The outbox's provisional events now, in outbox order. */
  set(events: readonly EventEnvelope[]): void
  /**
   * Folds the provisional events onto the confirmed states. An undo or redo still in the outbox
   * changes which commands count: provisional events of a command it undoes are left out, and
   * when it undoes (or redoes) a confirmed command, the confirmed part is folded again from
   * before that command, with the changed undo state. Returns a promise only when that needs
   * events older than those in memory.
   */
  compute(): void | Promise<void>
}
