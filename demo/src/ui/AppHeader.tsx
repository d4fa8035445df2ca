import { useId, type ReactNode } from 'react'
import type { PersonId } from '../domain'
import { PersonOptions } from './common'
import { Avatar } from './Avatar'
import { setCurrentUser, useCurrentUser } from './currentUser'
import { hrefOf, useRoute, type Route } from './route'

/**
 * Places in the header for features that plug in from other packages: undo/redo (history), the
 * sync status indicator and the devtools button. Each renders only when given.
 */
export interface HeaderSlots {
  readonly history?: ReactNode
  readonly syncStatus?: ReactNode
  readonly devtools?: ReactNode
}

const pages: readonly { route: Route; label: string }[] = [
  { route: 'board', label: 'Board' },
  { route: 'dashboard', label: 'Dashboard' },
  { route: 'activity', label: 'Activity' },
]

function Logo() {
  return (
    <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" className="logo">
      <rect x="2" y="2" width="28" height="28" rx="8" className="logo-tile" />
      <rect x="8" y="9" width="4.5" height="14" rx="1.5" className="logo-bar" />
      <rect x="14" y="9" width="4.5" height="9" rx="1.5" className="logo-bar" />
      <rect x="20" y="9" width="4.5" height="11.5" rx="1.5" className="logo-bar" />
    </svg>
  )
}

/** The app's header: brand, page navigation, plug-in slots and the person the demo acts as. */
export function AppHeader({ slots = {} }: { slots?: HeaderSlots }) {
  const route = useRoute()
  const user = useCurrentUser()
  const userId = useId()
  return (
    <header className="app-header">
      <a className="brand" href={hrefOf('board')}>
        <Logo />
        <span className="brand-name">
          Chronicle <span className="brand-product">Kanban</span>
        </span>
      </a>
      <nav className="app-nav" aria-label="Pages">
        {pages.map((page) => (
          <a key={page.route} href={hrefOf(page.route)} className="nav-link" aria-current={route === page.route ? 'page' : undefined}>
            {page.label}
          </a>
        ))}
      </nav>
      <div className="header-tools">
        {slots.history && <div className="header-slot">{slots.history}</div>}
        {slots.syncStatus && <div className="header-slot">{slots.syncStatus}</div>}
        {slots.devtools && <div className="header-slot">{slots.devtools}</div>}
        <div className="user-picker">
          <Avatar personId={user} />
          <label htmlFor={userId} className="visually-hidden">
            You are
          </label>
          <select id={userId} className="input input-compact" value={user} onChange={(e) => setCurrentUser(e.target.value as PersonId)}>
            <PersonOptions />
          </select>
        </div>
      </div>
    </header>
  )
}
