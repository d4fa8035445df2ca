import type { AnyCommandDefinition } from './command'
import type { LeadershipOptions } from './leader'
import type { AnyProjectionDefinition } from './projection'
import type { AnyReactionDefinition } from './reaction'
import type { StorageBackend } from './storage/storage'
import type { SyncConnector } from './sync/types'
import type { Principal } from './types'

/** Options of `createStore`. */
export interface StoreOptions {
  /** Names the event log (the IndexedDB database is `chronicle:<name>`). */
  readonly name: string
  readonly commands: readonly AnyCommandDefinition[]
  readonly projections?: readonly AnyProjectionDefinition[]
  readonly reactions?: readonly AnyReactionDefinition[]
  /** Where the log lives (default `indexedDbStorage()`; `memoryStorage()` for tests and SSR). */
  readonly storage?: StorageBackend
  /** Who issues this store's commands; handed to `authorize` and `handle`. */
  readonly principal?: Principal | (() => Principal)
  /** How often read-model checkpoints are saved at most, in ms (default 1000). */
  readonly checkpointInterval?: number
  /**
   * Events gathered after the stored checkpoints before the store saves new ones in the background
   * (default 1000), so a cold start replays at most about this many (plus those of one
   * `checkpointInterval`). Saving copies every read model whole, a long task for a large one, so a
   * short tail is not worth it. `store.checkpoint()`, `close()` and compaction always save.
   */
  readonly checkpointEvery?: number
  /** Commands per group commit at most (default 1000). */
  readonly maxBatch?: number
  /** Attempts of a command that keeps losing the race for its stream (default 5). */
  readonly maxAttempts?: number
  /** Read-model snapshot spacing in events (default 1000): an undo or time-travel jump folds at most about this many. */
  readonly snapshotEvery?: number
  /**
   * Deep-freeze read-model states (live, travelled, undone), so code that mutates one throws
   * instead of corrupting the read model and its snapshots. Default: on in development, off in an
   * app bundled for production (`process.env.NODE_ENV === 'production'`), where freezing costs a
   * walk of every changed record per update and, in V8, a hidden class per frozen version of a
   * growing record (docs/guarantees.md, "Frozen in development").
   */
  readonly freeze?: boolean
  /**
   * Aggregate states kept in memory, by stream (default 5000), least recently used out first. The
   * states of short streams (at most 100 events: an entity each) are saved with the checkpoints and
   * taken back on a cold start, so a command on such a stream used before a reload reads nothing;
   * a stream neither cached nor new is read from the log (every such stream of a batch in one read).
   */
  readonly cachedStreams?: number
  /**
   * Set when other processes append to the same log (a sync server on PostgreSQL; default false).
   * Each group commit then reads what others appended to its streams since their cached states and
   * applies it, and a lost race puts the state back as it was instead of folding the stream again.
   */
  readonly sharedLog?: boolean
  /**
   * Optimistic read models (default true): a batch's events show in every read model while they
   * commit, marked provisional (`store.provisional()`), and are taken back if the commit fails.
   * `false` shows events once committed only, as before 0.2. One query can ask for committed
   * events alone either way (`store.query(projection, selector, equal, { committed: true })`).
   * See docs/react.md, "Optimistic read models".
   */
  readonly optimistic?: boolean
  /** Written into `meta.origin` of this store's events (default: a random id per store session). */
  readonly origin?: string
  /**
   * Sync with a server (`createSync({ url, auth })` from @chronicle/sync). Commands then go to an
   * outbox, read models show confirmed + provisional events, and the server's answers rebase them.
   */
  readonly sync?: SyncConnector
  /** Ask the browser for persistent storage (default true); the answer is in `storageInfo()`. */
  readonly persist?: boolean
  /** Heartbeat and takeover timing of the leadership among tabs (docs/tabs.md). */
  readonly leadership?: LeadershipOptions
  /**
   * Automatic compaction, so the log never grows without bound (docs/history.md). The leading tab
   * compacts when more than `keep + slack` events lie after the horizon, keeping the newest `keep`
   * (undo, redo and time travel reach that far back). Default `{ keep: 100_000 }`, `slack` 10% of
   * `keep`; `false` turns it off (then call `store.compact` yourself).
   */
  readonly compaction?: false | CompactionPolicy
}

/** When a store compacts its log by itself (`createStore({ compaction })`). */
export interface CompactionPolicy {
  /** Events kept after the horizon (at least 1). */
  readonly keep: number
  /** Events gathered beyond `keep` before the next compaction (default 10% of `keep`, at least 1). */
  readonly slack?: number
}

/** Options of `store.undoCommand`. */
export interface HistoryCommandOptions extends DispatchOptions {
  readonly kind?: 'undo' | 'redo'
  /** Id of the Undone/Redone command itself; makes it idempotent. */
  readonly commandId?: string
  readonly at?: number
}

/** How `store.read`, `store.query` and the React hooks show a read model. */
export interface ViewOptions {
  /**
   * Only events committed to the log (default false: with the batch being committed shown ahead,
   * and with sync the outbox's provisional events). For what must not be shown before it is
   * stored: a balance, a confirmation.
   */
  readonly committed?: boolean
}

/** Per-call options of `store.dispatch`. */
export interface DispatchOptions {
  /** Run this command as another principal than the store's (the sync server does, per request). */
  readonly principal?: Principal
  /**
   * `false` keeps the command off this session's undo stack (seed data, imports: work the user
   * did not do by hand). Default true.
   */
  readonly undoable?: boolean
}

/** What `store.compact` did. */
export interface CompactionResult {
  /** Events with `seq <= horizon` are gone. */
  readonly horizon: number
  /** How many events were removed. */
  readonly removed: number
  /** How many streams got an aggregate snapshot. */
  readonly streams: number
}

/** What the browser says about the store's storage. */
export interface StorageInfo {
  readonly persisted: boolean | undefined
  readonly usage: number | undefined
  readonly quota: number | undefined
}
