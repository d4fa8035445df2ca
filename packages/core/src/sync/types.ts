import { BehaviorSubject, Subject, type Observable } from 'rxjs'
import type { AnyCommandDefinition } from '../command'
import { errorFromJSON, SyncRejected, type SerializedChronicleError } from '../errors'
import type { EventEnvelope } from '../event'
import type { ConfirmedEvent, NewEvent, PendingCommand } from '../storage/storage'

/** What the network side of sync reports about its connection. */
export interface SyncConnectionStatus {
  readonly online: boolean
  readonly pushing: boolean
  readonly pulling: boolean
  readonly lastError: string | undefined
}

/** The sync status a store exposes (`store.sync.status$`, `useSyncStatus()`). */
export interface SyncStatus extends SyncConnectionStatus {
  /** Commands in the outbox, not yet confirmed or rejected by the server. */
  readonly pending: number
  /** The server position whose events the local log holds. */
  readonly confirmedPosition: number
  /** Whether this tab runs the connection (the others see its results through the log). */
  readonly connected: boolean
}

/** A command in the outbox, waiting for the server (`store.sync.pendingCommands`). */
export interface PendingCommandInfo {
  readonly commandId: string
  /** The command's type (for an undo or redo waiting in the outbox: the type of the command it takes back). */
  readonly type: string
  /** The payload as dispatched (null for an undo or redo). */
  readonly payload: unknown
  readonly at: number
  /** The stream the command writes to. */
  readonly stream: string
  /** Its provisional events, as last decided (on dispatch, then on every rebase); not yet in the log. */
  readonly events: readonly PendingEventInfo[]
  /** Set for an undo or redo: which command it takes back or brings back. */
  readonly history?: { readonly kind: 'undo' | 'redo'; readonly target: string }
}

/** A provisional event of a pending command. */
export interface PendingEventInfo {
  readonly type: string
  readonly stream: string
  readonly payload: unknown
}

/** One command the server refused, already rolled back locally. */
export interface SyncRejection {
  readonly commandId: string
  readonly type: string
  readonly payload: unknown
  readonly error: SyncRejected
}

/** What the store offers the network side of sync (see @chronicle/sync's `createSync`). */
export interface SyncHost {
  readonly storeName: string
  /** The outbox, in dispatch order. */
  pending(): Promise<PendingCommand[]>
  /** The server position the local log holds everything up to. */
  position(): Promise<number>
  /**
   * Takes what the server said: confirmed events (any client's, in server order), the outbox
   * entries it executed (`settled`) and those it refused (`rejected`, with the server's error).
   * Stored in one transaction; then read models rebase.
   */
  receive(update: {
    readonly events: readonly ConfirmedEvent[]
    readonly settled: readonly string[]
    readonly rejected: readonly { readonly commandId: string; readonly error: SerializedChronicleError }[]
    readonly position: number
  }): Promise<void>
  /** Emits whenever the outbox gets a new command. */
  readonly outbox$: Observable<void>
}

/** A running connection; `stop()` ends it (the tab lost leadership or the store closed). */
export interface SyncConnection {
  readonly status$: Observable<SyncConnectionStatus>
  stop(): void
}

declare const syncImplementation: unique symbol

/**
 * The store's side of sync (outbox, provisional events, rebase), as a `SyncConnector` carries it.
 * Opaque: its one value is `syncOutbox`.
 */
export interface SyncOutbox {
  readonly [syncImplementation]: true
}

/**
 * Plugged into `createStore({ sync })`: runs the connection in the tab that leads. `createSync`
 * from @chronicle/sync makes one.
 */
export interface SyncConnector {
  connect(host: SyncHost): SyncConnection
  /**
   * The store's side of sync: always `syncOutbox` from @chronicle/core. The connector brings it,
   * so that an app whose store does not sync does not bundle it.
   */
  readonly outbox: SyncOutbox
}

/** `store.sync`: the app's view of synchronisation. */
export interface StoreSync {
  readonly status$: Observable<SyncStatus>
  readonly status: SyncStatus
  /** Commands the server refused, after they were rolled back. */
  readonly rejections$: Observable<SyncRejection>
  /** The commands in the outbox, in dispatch order: what this device changed that the server has not confirmed yet. */
  readonly pendingCommands: readonly PendingCommandInfo[]
  readonly pendingCommands$: Observable<readonly PendingCommandInfo[]>
  /** Resolves when the server confirmed the command; rejects with SyncRejected when it refused it. */
  confirmation(commandId: string): Promise<void>
}

const offline: SyncConnectionStatus = { online: false, pushing: false, pulling: false, lastError: undefined }

/** The store's bookkeeping of sync: status, rejections and confirmations. */
export function createSyncState() {
  const status = new BehaviorSubject<SyncStatus>({ ...offline, pending: 0, confirmedPosition: 0, connected: false })
  const rejections = new Subject<SyncRejection>()
  const pendingCommands = new BehaviorSubject<readonly PendingCommandInfo[]>([])
  const waiting = new Map<string, { resolve(): void; reject(error: unknown): void }[]>()
  const update = (patch: Partial<SyncStatus>) => status.next({ ...status.value, ...patch })

  const settle = (commandId: string, error?: SyncRejected) => {
    for (const waiter of waiting.get(commandId) ?? []) {
      if (error) waiter.reject(error)
      else waiter.resolve()
    }
    waiting.delete(commandId)
  }

  const api: StoreSync = {
    status$: status.asObservable(),
    get status() {
      return status.value
    },
    rejections$: rejections.asObservable(),
    get pendingCommands() {
      return pendingCommands.value
    },
    pendingCommands$: pendingCommands.asObservable(),
    confirmation(commandId) {
      return new Promise<void>((resolve, reject) => {
        const list = waiting.get(commandId) ?? []
        list.push({ resolve, reject })
        waiting.set(commandId, list)
      })
    },
  }
  return {
    api,
    update,
    /** The outbox now holds these commands (after a rebase), or got these on top (`append`). */
    outbox(commands: readonly Omit<PendingCommand, 'order'>[], mode: 'replace' | 'append') {
      const current = pendingCommands.value
      // A rebase after every server answer usually finds the outbox as it was: say nothing then.
      if (mode === 'replace' && commands.length === current.length && commands.every((c, i) => c.commandId === current[i]!.commandId && sameEvents(c.events, current[i]!.events))) return
      const infos = commands.map(({ commandId, type, payload, at, stream, events, history }): PendingCommandInfo => ({
        commandId,
        type,
        payload,
        at,
        stream,
        // A damaged outbox record may hold anything here: show what can be shown.
        events: Array.isArray(events) ? events.map((event) => ({ type: event?.type, stream: event?.stream, payload: event?.payload })) : [],
        ...(history ? { history } : {}),
      }))
      pendingCommands.next(mode === 'replace' ? infos : [...current, ...infos])
    },
    /** The outbox changed: commands no longer in it are settled (confirmed) unless rejected. */
    settled(commandIds: readonly string[], rejected: ReadonlyMap<string, { command: PendingCommand | undefined; error: SerializedChronicleError }>) {
      for (const commandId of commandIds) {
        const refusal = rejected.get(commandId)
        if (!refusal) {
          settle(commandId)
          continue
        }
        const error = new SyncRejected(commandId, errorFromJSON(refusal.error))
        settle(commandId, error)
        rejections.next({ commandId, type: refusal.command?.type ?? 'unknown', payload: refusal.command?.payload, error })
      }
    },
    close() {
      status.complete()
      rejections.complete()
      pendingCommands.complete()
    },
  }
}

/** Whether a rebase left a pending command's provisional events as they were (same types and streams, same payload objects or equal JSON). */
function sameEvents(next: readonly NewEvent[], shown: readonly PendingEventInfo[]): boolean {
  if (!Array.isArray(next)) return shown.length === 0
  return next.length === shown.length && next.every((e, i) => e?.type === shown[i]!.type && e?.stream === shown[i]!.stream && (e?.payload === shown[i]!.payload || JSON.stringify(e?.payload) === JSON.stringify(shown[i]!.payload)))
}

/** Provisional envelopes get positions after the confirmed head, in outbox order. */
export function provisional(events: readonly Omit<EventEnvelope, 'seq'>[], head: number): EventEnvelope[] {
  return events.map((event, i) => ({ ...event, seq: head + i + 1 }))
}

export type { PendingCommand, ConfirmedEvent, AnyCommandDefinition }
