import type { Observable } from 'rxjs'
import type { CommandInput } from './command'
import type { Receipt } from './dispatcher'
import type { ChronicleError } from './errors'
import type { EventEnvelope } from './event'
import type { AnyProjectionDefinition, ProjectionState } from './projection'
import type { AnyQueryDefinition, QueryDefinition } from './query'
import type { CompactionResult, DispatchOptions, HistoryCommandOptions, StorageInfo, ViewOptions } from './storeOptions'
import type { StoreSync } from './sync/types'
import type { History } from './undoStack'

/**
 * A Chronicle store: the write side (dispatch), the read side (read, query, settled), one log.
 */
export interface Store {
  readonly name: string
  /** This store session's id; written into every event's `meta.origin`. */
  readonly origin: string
  /** Resolves when the log is open and every read model has caught up (rejects with StorageError). */
  readonly ready: Promise<void>
  readonly isReady: boolean
  /** The log position every read model has applied. */
  readonly position: number
  readonly position$: Observable<number>
  /** Every failure not reported to a caller: projection errors, reaction failures, storage signals. */
  readonly errors$: Observable<ChronicleError>
  /**
   * True while this store leads the tabs that share its log (Web Locks; one at a time, handed on
   * when the leader closes, crashes or stops answering). Stores on memory storage always lead.
   */
  readonly isLeader: boolean
  readonly isLeader$: Observable<boolean>
  /**
   * Validates, authorizes and executes a command; resolves with a receipt once its events are
   * committed and every read model has applied them. Rejects with a typed error and writes
   * nothing when the command fails.
   */
  dispatch(command: CommandInput, options?: DispatchOptions): Promise<Receipt>
  /** The current state of a read model, synchronously (with the provisional events shown, unless `committed`). */
  read<P extends AnyProjectionDefinition>(projection: P, options?: ViewOptions): ProjectionState<P>
  /** The state of a read model (or a slice of it) now and whenever it changes. */
  query<P extends AnyProjectionDefinition, R = ProjectionState<P>>(
    projection: P,
    selector?: (state: ProjectionState<P>) => R,
    equal?: (a: R, b: R) => boolean,
    options?: ViewOptions,
  ): Observable<R>
  /** A parameterised query's result now and whenever it changes. */
  query<Q extends AnyQueryDefinition>(query: Q, params: ParamsOf<Q>, equal?: (a: ResultOf<Q>, b: ResultOf<Q>) => boolean, options?: ViewOptions): Observable<ResultOf<Q>>
  /**
   * Whether `projection`'s read model (without one: any read model) shows events that are not in
   * the log yet: a batch still committing (optimistic read models), or with sync the outbox's.
   * It changes when the read models notify, so read it when `query` emits.
   */
  provisional(projection?: AnyProjectionDefinition): boolean
  /**
   * Calls `listener` synchronously inside every `dispatch` (before validation), with a promise that
   * settles when the dispatch does; returns the function that stops it. UI bindings learn from it
   * which read-model changes a dispatch causes (@chronicle/react renders them as a transition when
   * the dispatch was made in one).
   */
  onDispatch(listener: (settled: Promise<unknown>) => void): () => void
  /** Resolves when every read model has applied `position` (default: the log head as this store knows it). */
  settled(position?: number): Promise<void>
  /** Undo and redo of this store session's own commands, last in first out. */
  readonly history: History
  /**
   * Undoes (or, with `kind: 'redo'`, redoes) any command by id, with the same checks as
   * `history.undo()`: the sync server runs a client's undo this way. With an explicit
   * `commandId` the undo itself is idempotent. The target is found among the events in memory
   * (those since the store started); an older one is read from the log, which for a command
   * dispatched without an explicit id means reading the whole log.
   */
  undoCommand(target: string, options?: HistoryCommandOptions): Promise<Receipt>
  /**
   * Shows every read model as of log position `position` (`null`: back to live). While
   * travelling, dispatch rejects with TimeTravelActive; live events keep being applied underneath,
   * so returning to live loses nothing. Travel stays in this store (tab).
   */
  travel(position: number | null): Promise<void>
  /** The position the store is showing, or null when live. */
  readonly travelling: number | null
  readonly travelling$: Observable<number | null>
  /** A read model's state as of a position, without travelling (inspectors, diffs). */
  stateAt<P extends AnyProjectionDefinition>(projection: P, position: number): Promise<ProjectionState<P>>
  /**
   * Builds the snapshot index that `travel` and `stateAt` jump from: every read model's state every
   * `snapshotEvery` events from the start of the log, folded in the background in short slices
   * while the page is idle. Resolves when it is complete; from then on the store keeps it up to date
   * as events arrive, so no jump folds more than about `snapshotEvery` events. The first `travel` or
   * `stateAt` starts it too (without waiting for it); call this ahead, when a history view opens, so
   * that no jump runs before the index is there. The index stays for the store's life (closing the store
   * stops a build under way; the promise then resolves early). Memory: a
   * snapshot shares every unchanged object with the next, but each holds its own copy of every object
   * that changed in between, so a flat record of N entries costs about N entries per snapshot.
   *
   * @example
   * await store.prepareTravel()
   * await store.travel(1200) // folds at most snapshotEvery events
   */
  prepareTravel(): Promise<void>
  /** Reads the log (with upcasting): events with `after < seq <= to`, at most `limit`. */
  log(range?: { readonly after?: number; readonly to?: number; readonly limit?: number }): Promise<EventEnvelope[]>
  /** The projections this store folds. */
  readonly projections: readonly AnyProjectionDefinition[]
  /** Sync status, rejections and confirmations; undefined without `createStore({ sync })`. */
  readonly sync: StoreSync | undefined
  /**
   * Removes the events before `before` from the log, keeping what they built: every read model's
   * state and every touched stream's aggregate state at the horizon. Undo, redo and time travel
   * stop at the horizon afterwards; rebuilds start from it.
   */
  compact(options: { readonly before: number }): Promise<CompactionResult>
  /** The log's compaction horizon: positions before it are gone (0 when never compacted). */
  readonly horizon: number
  /** Saves read-model checkpoints now. */
  checkpoint(): Promise<void>
  storageInfo(): Promise<StorageInfo>
  /** Waits for in-flight commands, saves checkpoints and closes the log. */
  close(): Promise<void>
}

/** The params type of a query definition. */
export type ParamsOf<Q> = Q extends QueryDefinition<AnyProjectionDefinition, infer P, unknown> ? P : never
/** The result type of a query definition. */
export type ResultOf<Q> = Q extends QueryDefinition<AnyProjectionDefinition, never, infer R> ? R : never
