import type { Observable } from 'rxjs'
import type { Emitter } from './emitter'
import type { ChronicleError } from './errors'
import type { EventEnvelope } from './event'
import type { Overlay, OverlayContext, OverlayModel } from './overlayTypes'
import type { AnyProjectionDefinition } from './projection'
import type { Horizon, StoredCheckpoint, StoredHorizon } from './storage/storage'
import type { Timeline } from './timeline'

// The read side's contract: what the store and its features ask of the read models
// (readModels.ts implements it, coldStart.ts brings them up).

/** What read models are created with. */
export interface ReadModelsOptions {
  /** Snapshot spacing in events: any undo or time-travel jump applies at most about this many. */
  readonly snapshotEvery: number
  /** Deep-freeze every state handed out (development), or hand them out as they are (production). */
  readonly freeze: boolean
  /** Reads decoded log events with `after < seq <= to` (older ones that are not in memory). */
  readonly loadLog: (after: number, to: number) => Promise<EventEnvelope[]>
  /** The read-model states of the horizon at `position`, when the stored horizon came without them. */
  readonly loadHorizonStates?: (position: number) => Promise<Horizon['states'] | undefined>
  /** Show a batch's events while it commits (default true; `createStore({ optimistic })`). */
  readonly optimistic?: boolean
  /** With sync on: the overlay of provisional events (`setPending`). */
  readonly overlay?: OverlayFactory
}

/**
 * Folds the log into every read model. All read models move together: a batch of events is
 * applied to each of them before any subscriber hears of it, so nobody sees one read model ahead
 * of another or half of a command. Undone commands' events are left out of every fold; an undo
 * or redo refolds from the nearest snapshot before the command. `travel` shows every read model
 * as of a past position while live events keep being applied underneath.
 */
export interface ReadModels {
  /** Position every read model has applied (failed ones excepted). */
  readonly position: number
  readonly timeline: Timeline
  /**
   * Cold start: checkpoints (where their version matches) plus the log after them. After a
   * compaction, `horizon` holds every read model's state at the horizon: the log starts there.
   * Resolves with the position the stored checkpoints cover: the oldest one a working read model
   * started from (the origin for one rebuilt from the log), so the next cold start replays from
   * there; `-Infinity` when a stored checkpoint is damaged, so that it is replaced soon.
   */
  start(checkpoints: readonly StoredCheckpoint[], readLog: (after: number) => AsyncIterable<EventEnvelope[]>, head: number, horizon?: StoredHorizon): Promise<number>
  /** Position of the oldest state the log can still produce (0, or the compaction horizon). */
  readonly origin: number
  /** Applies events that directly follow `position`, in log order. */
  apply(events: readonly EventEnvelope[]): void | Promise<void>
  /**
   * Folds events that are being committed (with the positions they are expected to get) ahead
   * of time, while the transaction is in flight; `apply` then only publishes the result when the
   * committed events are exactly these and nothing moved in between.
   */
  speculate(events: readonly EventEnvelope[]): void
  /** The batch folded ahead did not commit: read models that showed it go back to their confirmed states, subscribers told once; true when any did. */
  abandon(): boolean
  /** Whether `definition`'s read model (any read model, without one) shows events not in the log yet: in flight, or with sync in the outbox. */
  provisional(definition?: AnyProjectionDefinition): boolean
  /** A read model's state; `committed`: without provisional events. */
  read(definition: AnyProjectionDefinition, committed?: boolean): unknown
  /**
   * A read model's state, or `select` of it, now and whenever it changes by `equal` (default
   * `Object.is`); errors with the read model's ProjectionError, or with what `select` or `equal` threw.
   */
  watch(definition: AnyProjectionDefinition, select?: (state: unknown) => unknown, equal?: (a: unknown, b: unknown) => boolean, committed?: boolean): Observable<unknown>
  /**
   * The state of one read model as of `position`, without changing what the store shows.
   * `undone: 'now'` leaves out the commands undone at the head instead of those undone at `position`.
   */
  stateAt(definition: AnyProjectionDefinition, position: number, undone?: 'then' | 'now'): Promise<unknown>
  /**
   * With sync on: the provisional events of the outbox, shown on top of the confirmed log (with
   * the undo and redo among them applied). Returns a promise when older events must be loaded first.
   */
  setPending(events: readonly EventEnvelope[]): void | Promise<void>
  /** After a compaction: the log now starts at `horizon`. */
  setHorizon(horizon: StoredHorizon): void
  /** Shows every read model as of `position` (null: live again). */
  travel(position: number | null): Promise<void>
  /** Builds the time-travel snapshot index in the background and keeps it from then on; resolves when it is complete. */
  prepareTravel(): Promise<void>
  /** The store closed: background work (the travel index build) stops. */
  stop(): void
  /** The log was deleted (site data cleared): every read model back to its initial state at position 0, subscribers told. */
  clear(): void
  readonly travelling: number | null
  checkpoints(): StoredCheckpoint[]
  readonly errors: Emitter<ChronicleError>
}

/** Makes the overlay of provisional events over the read models (sync's `createOverlay`). */
export type OverlayFactory = <M extends OverlayModel>(context: OverlayContext<M>) => Overlay
