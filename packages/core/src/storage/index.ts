// `@chronicle/core/storage`: for authors of a storage back end (a `StorageBackend` of their own).
// Apps pick one of the built-in back ends from `@chronicle/core` (indexedDbStorage, memoryStorage).
export type {
  StorageBackend,
  EventLogStorage,
  CompactionStorage,
  OutboxStorage,
  AppendCommand,
  AppendOutcome,
  FoundCommand,
  NewEvent,
  StoredCheckpoint,
  StorageSignal,
  Horizon,
  StoredHorizon,
  StreamSnapshot,
  PendingCommand,
  ConfirmedEvent,
  SyncReceipt,
} from './storage'
export { StorageError, type StorageErrorCode } from '../errors'
