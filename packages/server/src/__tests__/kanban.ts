// The Kanban fixtures of core's tests (cards, columns, a WIP limit of 3 per column) as a domain
// module for real server processes: the sync client's tests (node, browser, e2e) run "devices"
// against it. Every principal may read the whole board.
import type { Principal } from '@chronicle/core'
import { commands } from '../../../core/src/__tests__/fixtures'

export { commands }

/** Bearer tokens the Kanban test server accepts, one per person. */
export const kanbanTokens = { ann: 'token-ann', ben: 'token-ben' } as const

export function authenticate(token: string): Principal | null {
  const user = Object.entries(kanbanTokens).find(([, accepted]) => accepted === token)?.[0]
  return user ? { user } : null
}

export const canRead = (): boolean => true
