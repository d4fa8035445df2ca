import { createStore, type Store } from '@chronicle/core'
import { commands, projections, reactions } from '../domain'
import { currentUser } from './currentUser'

/** The demo's store: the Kanban domain over an IndexedDB log, acting as the person picked in the header. */
export function createDemoStore(): Store {
  return createStore({
    name: 'chronicle-kanban',
    commands,
    projections,
    reactions,
    principal: () => ({ userId: currentUser() }),
  })
}
