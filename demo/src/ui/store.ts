import { createStore, type Store } from '@chronicle/core'
import { createSync } from '@chronicle/sync'
import { commands, projections, reactions } from '../domain'
import { demoToken } from '../sync/demoTokens'
import { syncServerUrl } from '../sync/syncServerUrl'
import { currentUser } from './currentUser'

/**
 * The demo's store: the Kanban domain over an IndexedDB log, acting as the person picked in the
 * header, and synced with the demo's sync server when there is one (every request carries that
 * person's demo token). Each sync server gets a log of its own in the browser.
 */
export function createDemoStore(): Store {
  const server = syncServerUrl()
  return createStore({
    name: server && !server.isDefault ? `chronicle-kanban@${server.url}` : 'chronicle-kanban',
    commands,
    projections,
    reactions,
    principal: () => ({ userId: currentUser() }),
    ...(server ? { sync: createSync({ url: server.url, auth: () => demoToken(currentUser()) }) } : {}),
  })
}
