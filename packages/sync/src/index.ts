export {
  protocolVersion,
  protocolVersions,
  type ProtocolVersion,
  type PushHistory,
  protocolLimits,
  protocolPaths,
  liveCloseCodes,
  type PushCommand,
  type PushRequest,
  type PushResponse,
  type CommandResult,
  type CommandAccepted,
  type CommandRejected,
  type PullResponse,
  type SyncErrorCode,
  type WireError,
  type ErrorResponse,
  type LiveHello,
  type LiveClientMessage,
  type LiveServerMessage,
} from './protocol'
export { decode, parseJson, isVersionMismatch, type Decoded } from './codecs'
export { SyncError, isSyncError } from './errors'
export { createSyncClient, type SyncClient, type SyncClientOptions, type PushBatch } from './client'
export type { LiveListener, LiveOptions, LiveStatus, LiveSubscription, WebSocketLike, WebSocketConstructor } from './live'
export { createSync, type SyncOptions } from './createSync'
export { retryDelay, type RetryOptions } from './backoff'
