// The test API the tabs page puts on `window.tabs`, for e2e/tabs.spec.ts to drive.
import type { EventEnvelope } from '@chronicle/core'

export interface OpenOptions {
  readonly name: string
  /** `next` opens the log with one more schema step than this build (a newer build of the app). */
  readonly schema?: 'current' | 'next'
  /** Open the store as if this page had no BroadcastChannel (it misses every announcement). */
  readonly deaf?: boolean
  readonly heartbeatInterval?: number
  readonly timeout?: number
}

export interface BurstOptions {
  readonly tab: string
  readonly count: number
  /** How many lists the commands spread over (round robin). */
  readonly lists: number
  /** Report each receipt to the test as soon as it arrives, through `window.ack`. */
  readonly ack?: boolean
}

export interface BurstResult {
  /** commandIds of the acknowledged commands. */
  readonly ok: string[]
  /** Error codes of the refused ones. */
  readonly failed: string[]
}

export interface ReadModelsSnapshot {
  readonly lists: Record<string, { items: number; total: number }>
  readonly order: string[]
}

export interface TabState extends ReadModelsSnapshot {
  readonly position: number
  readonly isLeader: boolean
  readonly errors: { readonly name: string; readonly code: string }[]
}

export interface TabsApi {
  open(options: OpenOptions): Promise<void>
  burst(options: BurstOptions): Promise<BurstResult>
  state(): TabState
  /** The read models rebuilt from the whole log by a fresh store (projection versions bumped). */
  rebuild(): Promise<ReadModelsSnapshot>
  /** The whole log, read through a separate connection. */
  log(): Promise<EventEnvelope[]>
  /** IndexedDB's view of the database: version, object stores, indexes of `events`. */
  layout(): Promise<{ version: number; stores: string[]; eventIndexes: string[] }>
  close(): Promise<void>
}

declare global {
  interface Window {
    tabs: TabsApi
    /** Exposed by the test (page.exposeFunction) when a burst reports its receipts. */
    ack?: (commandId: string) => void
  }
}
