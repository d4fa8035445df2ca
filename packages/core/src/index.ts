export { defineEvent, type EventDefinition, type AnyEventDefinition, type EventEnvelope, type EventInput, type EventMeta, type EventOptions, type Upcaster, type PayloadOf, type EnvelopeOf, type EventInputOf } from './event'
export { defineAggregate, type AggregateDefinition, type AnyAggregateDefinition, type EvolveHandlers, type StateOf, type EventsOf } from './aggregate'
export { defineCommand, type CommandDefinition, type AnyCommandDefinition, type CommandInput, type CommandOptions, type CommandContext, type HandleResult } from './command'
export { defineProjection, type ProjectionDefinition, type AnyProjectionDefinition, type ProjectionHandlers, type ProjectionState } from './projection'
export { defineQuery, type QueryDefinition, type AnyQueryDefinition } from './query'
export { defineReaction, type ReactionDefinition, type AnyReactionDefinition, type ReactionContext, type ReactionHandlers, type ReactionResult } from './reaction'
export { createStore, type Store, type StoreOptions, type DispatchOptions, type HistoryCommandOptions, type CompactionResult, type CompactionPolicy, type StorageInfo, type ParamsOf, type ResultOf } from './store'
export type { LeadershipOptions } from './leader'
export { createEventDecoder } from './event'
export { newId } from './ids'
export { commandFingerprint, fingerprintDiffers } from './fingerprint'
export { envelopeIssues, envelopeLimits, isEnvelopeTime } from './envelope'
export { toSchemaIssues, validateSchema } from './standardSchema'
export type { Receipt } from './dispatcher'
export type { History } from './undoStack'
export { ProjectionObserver } from './projectionObserver'
export { StoreReadiness } from './storeReadiness'
export { shallow } from './equality'
export { CommandObserver, type CommandCallbacks, type CommandCallOptions, type CommandState } from './commandObserver'
export {
  ChronicleError,
  ValidationError,
  RuleViolation,
  Unauthorized,
  ConcurrencyConflict,
  StorageError,
  HandlerError,
  ProjectionError,
  UndoConflict,
  TimeTravelActive,
  SyncRejected,
  isChronicleError,
  idempotencyKeyReused,
  errorFromJSON,
  type ChronicleErrorName,
  type SerializedChronicleError,
  type StorageErrorCode,
} from './errors'
export { indexedDbStorage, type IndexedDbStorageOptions } from './storage/indexedDb'
export { memoryStorage } from './storage/memory'
export type { StorageBackend, EventLogStorage, CompactionStorage, OutboxStorage, AppendCommand, AppendOutcome, FoundCommand, NewEvent, StoredCheckpoint, StorageSignal, Horizon, StoredHorizon, StreamSnapshot, PendingCommand, ConfirmedEvent, SyncReceipt } from './storage/storage'
export { given, type Scenario, type ScenarioOutcome } from './testing'
export type { StandardSchemaV1, SchemaIssue } from './standardSchema'
export type { SyncConnector, SyncConnection, SyncConnectionStatus, SyncHost, SyncOutbox, SyncStatus, SyncRejection, StoreSync, PendingCommandInfo, PendingEventInfo } from './sync/types'
export { syncOutbox } from './sync/session'
export type { Register, Principal } from './types'
