// "Devices" for the sync client's tests: stores over the Kanban fixtures that sync with a real
// server through createSync, retrying fast so tests do not wait on production backoff.
import { filter, firstValueFrom } from 'rxjs'
import { createStore, type StorageBackend, type Store } from '@chronicle/core'
import { createSync, type RetryOptions, type WebSocketConstructor } from '../index'
import { boardView, commands } from '../../../core/src/__tests__/fixtures'
import { kanbanTokens } from '../../../server/src/__tests__/kanban'

export interface DeviceOptions {
  readonly url: string
  readonly storage: StorageBackend
  /** The store's name (default `kanban`): stores of one name on one storage share a log. */
  readonly name?: string
  readonly WebSocket?: WebSocketConstructor
  /** Backoff (default: 10 ms doubling up to 100 ms). */
  readonly retry?: RetryOptions
}

/** A store syncing with the server at `url`. */
export function openDevice(options: DeviceOptions): Store {
  return createStore({
    name: options.name ?? 'kanban',
    commands,
    projections: [boardView],
    storage: options.storage,
    sync: createSync({
      url: options.url,
      auth: kanbanTokens.ann,
      timeout: 5000,
      retry: options.retry ?? { initialDelay: 10, maxDelay: 100 },
      live: { pollInterval: 50, reconnectDelay: 20, maxReconnectDelay: 100 },
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    }),
  })
}

/** Resolves once the store has nothing left to push and holds the server's events up to `position`. */
export const synced = (store: Store, position: number) =>
  firstValueFrom(store.sync!.status$.pipe(filter((s) => s.pending === 0 && s.confirmedPosition >= position && !s.pushing && !s.pulling)))
