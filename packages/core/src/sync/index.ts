// `@chronicle/core/sync`: for authors of a sync transport (what @chronicle/sync and
// @chronicle/server build on). Apps pass `createSync(...)` from @chronicle/sync to
// `createStore({ sync })` and read `store.sync`; they need nothing from here.
export { syncOutbox } from './session'
export type { SyncConnector, SyncConnection, SyncConnectionStatus, SyncHost, SyncOutbox } from './types'
export { errorFromJSON, type SerializedChronicleError } from '../errors'
export { createEventDecoder } from '../event'
export { toSchemaIssues, validateSchema } from '../standardSchema'
export { commandFingerprint, fingerprintDiffers } from '../fingerprint'
export { envelopeIssues, envelopeLimits, isEnvelopeTime } from '../envelope'
export { idempotencyKeyReused } from '../errors'
export type { PendingCommand, ConfirmedEvent, SyncReceipt } from '../storage/storage'
