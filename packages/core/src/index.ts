// `@chronicle/core`: the API for app authors (define a domain, create a store, catch its errors).
// Plumbing lives on subpaths: `@chronicle/core/storage` (storage back ends),
// `@chronicle/core/sync` (sync transports), `@chronicle/core/testing` (given/when/then).
export { defineEvent, type EventDefinition, type AnyEventDefinition, type EventEnvelope, type EventInput, type EventMeta, type EventOptions, type Upcaster, type PayloadOf, type EnvelopeOf, type EventInputOf } from './event'
export { defineAggregate, type AggregateDefinition, type AnyAggregateDefinition, type EvolveHandlers, type StateOf, type EventsOf } from './aggregate'
export { defineCommand, type CommandDefinition, type AnyCommandDefinition, type CommandInput, type CommandOptions, type CommandContext, type HandleResult } from './command'
export { defineProjection, type ProjectionDefinition, type AnyProjectionDefinition, type ProjectionHandlers, type ProjectionState } from './projection'
export { defineQuery, type QueryDefinition, type AnyQueryDefinition } from './query'
export { defineReaction, type ReactionDefinition, type AnyReactionDefinition, type ReactionContext, type ReactionHandlers, type ReactionResult } from './reaction'
export { createStore, type Store, type ParamsOf, type ResultOf } from './store'
export type { StoreOptions, DispatchOptions, HistoryCommandOptions, CompactionResult, CompactionPolicy, StorageInfo, ViewOptions } from './storeOptions'
export type { LeadershipOptions } from './leader'
export { newId } from './ids'
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
  ConfigurationError,
  PositionError,
  isChronicleError,
  type ChronicleErrorName,
  type StorageErrorCode,
  type ValidationErrorCode,
  type HandlerErrorCode,
  type ProjectionErrorCode,
  type UndoConflictCode,
  type ConfigurationErrorCode,
  type PositionErrorCode,
} from './errors'
export { indexedDbStorage, type IndexedDbStorageOptions } from './storage/indexedDb'
export { memoryStorage } from './storage/memory'
export type { StorageBackend } from './storage/storage'
export type { StandardSchemaV1, SchemaIssue } from './standardSchema'
export type { SyncConnector, SyncStatus, SyncRejection, StoreSync, PendingCommandInfo, PendingEventInfo } from './sync/types'
export type { Register, Principal } from './types'
