import { useSyncExternalStore } from 'react'

/** The pages of the demo, addressed by the URL hash (`#/dashboard`), so a reload stays on the page. */
export type Route = 'board' | 'dashboard' | 'activity'

const routes: readonly Route[] = ['board', 'dashboard', 'activity']

function parse(): Route {
  const name = location.hash.replace(/^#\/?/, '')
  return routes.find((r) => r === name) ?? 'board'
}

function subscribe(listener: () => void): () => void {
  addEventListener('hashchange', listener)
  return () => removeEventListener('hashchange', listener)
}

/** The current page. */
export function useRoute(): Route {
  return useSyncExternalStore(subscribe, parse, () => 'board')
}

/** The link to a page. */
export function hrefOf(route: Route): string {
  return `#/${route}`
}
