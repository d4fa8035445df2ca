import type { EventEnvelope } from '../event'

/** An event as handed to storage: the envelope without `seq`, which the log assigns. */
export type NewEvent = Omit<EventEnvelope, 'seq'>

/** One command's events, appended only if its stream is still at `expectedVersion`. */
export interface AppendCommand {
  readonly commandId: string
  readonly stream: string
  /** The stream version the command decided on; the append checks it inside the transaction. */
  readonly expectedVersion: number
  /**
   * Set for a command dispatched with an explicit commandId. The append is skipped (outcome
   * `duplicate`) if the log already recorded a command with this id: an earlier idempotent append,
   * a command the sync server confirmed (`receive`), or, in IndexedDB, any command written before
   * schema version 2. An idempotent command that writes events is recorded by its append.
   */
  readonly idempotent: boolean
  /**
   * For idempotent commands: `commandFingerprint` of what the command asked for, recorded with
   * its id. A recorded command with another fingerprint makes the outcome `reused` instead of
   * `duplicate`; one recorded without a fingerprint (before they existed) stays a `duplicate`.
   */
  readonly fingerprint?: string
  readonly events: readonly NewEvent[]
}

/** A command the log recorded as idempotent, as `findCommand` finds it. */
export interface FoundCommand {
  /** The position of its last event. */
  readonly position: number
  /** What it asked for (`AppendCommand.fingerprint`); absent for commands recorded without one. */
  readonly fingerprint?: string
}

/** How an append may check its batch. */
export interface AppendOptions {
  /**
   * Whether the writer's cached stream states can be trusted to be current (default true). A
   * storage that can skip reading stream heads (IndexedDB) does so only then; a writer that may
   * have missed what other writers did (a tab without a BroadcastChannel) passes false, and every
   * stream's head is read in the transaction.
   */
  readonly trust?: boolean
}

/** The outcome of one command in an append batch. */
export type AppendOutcome =
  | { readonly status: 'ok'; readonly events: readonly EventEnvelope[] }
  | { readonly status: 'conflict'; readonly actualVersion: number }
  | { readonly status: 'duplicate'; readonly position: number }
  /** The commandId was recorded for a command with another fingerprint: nothing was written. */
  | { readonly status: 'reused' }

/** A persisted read-model checkpoint: its state as of log position `position`. */
export interface StoredCheckpoint {
  readonly name: string
  readonly version: number
  readonly position: number
  readonly state: unknown
  readonly savedAt: number
  /** Set by a storage that could not read the record back whole (a part missing): why. Never saved. */
  readonly damaged?: string
}

/** A command waiting in the outbox for the sync server, with the events it decided locally. */
export interface PendingCommand {
  readonly commandId: string
  readonly type: string
  readonly payload: unknown
  readonly at: number
  readonly causationId: string
  readonly correlationId: string
  readonly stream: string
  /** Provisional events as decided at dispatch (decided again on every rebase). */
  readonly events: readonly NewEvent[]
  /** Set for undo/redo: the command whose events it takes back or brings back. */
  readonly history?: { readonly kind: 'undo' | 'redo'; readonly target: string }
  /** Outbox order (assigned by the storage). */
  readonly order: number
}

/** An event the sync server confirmed; `position` is its place in the server's log. */
export interface ConfirmedEvent extends NewEvent {
  readonly position: number
}

/** What one round of sync brings: confirmed events and the outbox entries they settle. */
export interface SyncReceipt {
  /** Confirmed events in server order; those at or before the local sync position are skipped. */
  readonly events: readonly ConfirmedEvent[]
  /** Outbox entries the server settled (executed, or found to be duplicates) or rejected. */
  readonly settled: readonly string[]
  /** The server position the client has now seen everything up to. */
  readonly position: number
}

/** Every read model's state at the compaction horizon: where the log now starts. */
export interface Horizon {
  /** Events with `seq <= position` were removed. */
  readonly position: number
  readonly states: { readonly [projection: string]: { readonly version: number; readonly state: unknown } }
  readonly compactedAt: number
}

/**
 * A horizon as storage hands it back: the read-model states may be left out (IndexedDB keeps them
 * apart, so a cold start does not read them), to be read with `loadHorizonStates` when needed.
 */
export interface StoredHorizon extends Omit<Horizon, 'states'> {
  readonly states?: Horizon['states']
}

/** An aggregate state saved by compaction: the stream's events up to `version` are gone. */
export interface StreamSnapshot {
  readonly stream: string
  readonly aggregate: string
  readonly version: number
  readonly state: unknown
}

/**
 * Something other writers or the browser did to the database that the store must react to:
 * another connection asks for a newer schema (`newVersion`) or deletes the database
 * (`newVersion: null`); the browser deleted the database and closed the connection (site data
 * cleared, storage evicted); or it closed the connection and the database is still there.
 */
export type StorageSignal =
  | { readonly type: 'version-change'; readonly newVersion: number | null }
  | { readonly type: 'deleted'; readonly reason: string }
  | { readonly type: 'closed'; readonly reason: string }

/**
 * One open event log. Implementations: `indexedDbStorage()` (the default, in the browser) and
 * `memoryStorage()` (tests, SSR). All of a batch's checks and writes happen in one transaction:
 * each command is appended whole or not at all, and commands that fail their version check
 * leave their neighbours alone. What only some logs can do comes as a part of its own
 * (`compaction`, `outbox`), whole or not at all.
 */
export interface EventLogStorage {
  /** The position of the last event in the log (0 when empty; the compaction horizon when compaction removed every event). */
  head(): Promise<number>
  /** Appends a batch of commands in one transaction (group commit). Rejects with StorageError when the transaction fails; then nothing of the batch was written. */
  append(commands: readonly AppendCommand[], options?: AppendOptions): Promise<AppendOutcome[]>
  /** A stream's events with `version > afterVersion`, in order. */
  readStream(stream: string, afterVersion: number): Promise<EventEnvelope[]>
  /** Log events with `seq > after` (and `<= to` when given), in order, at most `limit`. */
  readLog(after: number, options?: { readonly to?: number; readonly limit?: number }): Promise<EventEnvelope[]>
  /**
   * Events written by one command, in order, whether or not it was recorded as idempotent. Fast
   * for recorded commands; IndexedDB reads the whole log for the others.
   */
  readCommand(commandId: string): Promise<EventEnvelope[]>
  /**
   * Where a command the log recorded as idempotent ended (see `AppendCommand.idempotent`) and the
   * fingerprint it was recorded with, or undefined: how the store recognises a repeat.
   */
  findCommand(commandId: string): Promise<FoundCommand | undefined>
  loadCheckpoints(): Promise<StoredCheckpoint[]>
  saveCheckpoints(checkpoints: readonly StoredCheckpoint[]): Promise<void>
  deleteCheckpoint(name: string): Promise<void>
  /**
   * Compaction and what it leaves behind. `indexedDbStorage()` and `memoryStorage()` have it; a log
   * without it (the sync server's) cannot be compacted and never was.
   */
  readonly compaction?: CompactionStorage
  /**
   * The sync outbox. `indexedDbStorage()` and `memoryStorage()` have it; a store with `sync` needs
   * it.
   */
  readonly outbox?: OutboxStorage
  /**
   * The write model's side: several streams in one read, and a saved directory of the streams
   * the log holds, so a store knows a new stream without reading it. `indexedDbStorage()` and
   * `memoryStorage()` have it; without it the write model reads one stream at a time and reads
   * every stream it has not cached, new or not.
   */
  readonly streams?: StreamStorage
  /** Subscribes to signals from other connections or the browser; returns the unsubscribe function. */
  onSignal(listener: (signal: StorageSignal) => void): () => void
  close(): void
}

/**
 * What a log that can be compacted (`EventLogStorage.compaction`) keeps: the horizon, the read-model
 * states there, and each stream's snapshot.
 */
export interface CompactionStorage {
  /**
   * Removes events with `seq <= horizon.position` and saves the snapshots that replace them, in
   * one transaction.
   */
  compact(horizon: Horizon, streams: readonly StreamSnapshot[]): Promise<void>
  /** The last compaction's horizon, if the log was ever compacted. */
  loadHorizon(): Promise<StoredHorizon | undefined>
  /**
   * The read-model states of the horizon at `position` (for when `loadHorizon` left them out);
   * undefined when the stored horizon is another one by now (compacted again).
   */
  loadHorizonStates(position: number): Promise<Horizon['states'] | undefined>
  /** A stream's compaction snapshot, if it has one. */
  loadStreamSnapshot(stream: string): Promise<StreamSnapshot | undefined>
}

/** One stream as `StreamStorage.readStreams` reads it: its compaction snapshot, if any, and its events after it. */
export interface StreamRead {
  readonly snapshot: StreamSnapshot | undefined
  readonly events: EventEnvelope[]
}

/**
 * Which streams the log holds, as a store saves it: the 30-bit hashes of the ids of every stream
 * with an event at or before `position` (`StreamDirectory`).
 */
export interface SavedStreamDirectory {
  readonly position: number
  readonly hashes: Uint32Array
  /**
   * The aggregate states the write model held (its most recently used streams), each as of the
   * stream's `version`, which no event at or before `position` goes beyond: a cold start takes
   * them back instead of reading those streams again.
   */
  readonly states?: readonly SavedStreamState[]
}

/** One stream's aggregate state as the write model saved it (`SavedStreamDirectory.states`). */
export interface SavedStreamState {
  readonly stream: string
  readonly aggregate: string
  /** `aggregateFingerprint` of the code that folded it: other code folds the stream again. */
  readonly fingerprint: string
  readonly version: number
  readonly state: unknown
  /** The commands that wrote to the stream, with their undo state (see `StreamState.commands`). */
  readonly commands: readonly { readonly commandId: string; readonly firstVersion: number; readonly lastVersion: number; readonly undone: boolean }[]
}

/** A log's side of the write model (`EventLogStorage.streams`). */
export interface StreamStorage {
  /**
   * Several streams in one read (one transaction): each one's snapshot and its events after it.
   * `compacted`, when given, tells which streams may have a snapshot: the others' need not be read.
   */
  readStreams(streams: readonly string[], compacted?: (stream: string) => boolean): Promise<Map<string, StreamRead>>
  /** The directory a store saved last (with its checkpoints), if any. */
  loadDirectory(): Promise<SavedStreamDirectory | undefined>
  /** Saves a store's directory, unless one of a later position is saved already. */
  saveDirectory(directory: SavedStreamDirectory): Promise<void>
  /** The streams that have a compaction snapshot (whose first events may be gone from the log). */
  compactedStreams(): Promise<string[]>
}

/** The sync outbox of a log (`EventLogStorage.outbox`): commands waiting for the server, and what it confirmed. */
export interface OutboxStorage {
  /** Adds commands to the outbox in one transaction (orders assigned in call order). */
  putPending(commands: readonly Omit<PendingCommand, 'order'>[]): Promise<PendingCommand[]>
  /** The outbox, in order. */
  readPending(): Promise<PendingCommand[]>
  /**
   * In one transaction, appends the confirmed events not yet in the log (in server order), removes
   * the settled outbox entries and moves the sync position. Returns the appended envelopes.
   */
  receive(receipt: SyncReceipt): Promise<EventEnvelope[]>
  /** The server position the local log holds everything up to. */
  syncPosition(): Promise<number>
}

/** Opens event logs by store name. Pass one to `createStore({ storage })`. */
export interface StorageBackend {
  readonly kind: string
  open(name: string): Promise<EventLogStorage>
}
