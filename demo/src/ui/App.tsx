import { Suspense, use, useEffect } from 'react'
import type { Store } from '@chronicle/core'
import { ChronicleProvider } from '@chronicle/react'
import { ActivityPage } from './activity/ActivityPage'
import { AppHeader, type HeaderSlots } from './AppHeader'
import { BoardPage } from './board/BoardPage'
import { PageLoading } from './common'
import { DashboardPage } from './dashboard/DashboardPage'
import { TravelBanner } from './history/TravelBanner'
import { NoticeProvider, NoticeRegion, useNotices } from './notices'
import { useRoute } from './route'

const titles = { board: 'Board', dashboard: 'Dashboard', activity: 'Activity' } as const

function Page({ starting }: { starting: Promise<void> | undefined }) {
  // The first start seeds the board; the pages wait for it rather than show it half-filled.
  if (starting) use(starting)
  const route = useRoute()
  useEffect(() => {
    document.title = `${titles[route]} · Chronicle Kanban`
  }, [route])
  if (route === 'dashboard') return <DashboardPage />
  if (route === 'activity') return <ActivityPage />
  return <BoardPage />
}

/** Reports store failures nobody awaited (a reaction that failed, storage trouble) as notices. */
function StoreErrors({ store }: { store: Store }) {
  const notices = useNotices()
  useEffect(() => {
    const subscription = store.errors$.subscribe((error) => notices.error(error))
    return () => subscription.unsubscribe()
  }, [store, notices])
  return null
}

/** Props of `App`. */
export interface AppProps {
  readonly store: Store
  /** What plugs into the header (undo/redo, sync status, devtools). */
  readonly slots?: HeaderSlots
  /** Work that must finish before the pages show (seeding the demo board); it must not reject. */
  readonly starting?: Promise<void>
}

/** The app shell: header, the current page and the notices, over one store. */
export function App({ store, slots, starting }: AppProps) {
  return (
    <ChronicleProvider store={store}>
      <NoticeProvider>
        <StoreErrors store={store} />
        {/* The hash is the router's, so the skip link moves focus itself. */}
        <a
          href="#main"
          className="skip-link"
          onClick={(e) => {
            e.preventDefault()
            document.getElementById('main')?.focus()
          }}
        >
          Skip to content
        </a>
        <AppHeader {...(slots ? { slots } : {})} />
        <main id="main" className="app-main" tabIndex={-1}>
          <TravelBanner />
          <Suspense fallback={<PageLoading>Setting up the demo board…</PageLoading>}>
            <Page starting={starting} />
          </Suspense>
        </main>
        <NoticeRegion />
      </NoticeProvider>
    </ChronicleProvider>
  )
}
