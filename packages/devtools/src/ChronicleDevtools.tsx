import { lazy, Suspense } from 'react'
import type { Store } from '@chronicle/core'
import { useStore } from '@chronicle/react'
import { defaultEventStatus, type EventStatusFunction } from './status'

// The panel is its own chunk: an app pays for it only when it renders <ChronicleDevtools />.
const Devtools = lazy(() => import('./Devtools'))

/** Props of `ChronicleDevtools`. */
export interface ChronicleDevtoolsProps {
  /** The store to inspect (default: the store of the nearest `ChronicleProvider`). */
  readonly store?: Store
  /** Open the drawer at first (default false: only the floating button shows). */
  readonly initialIsOpen?: boolean
  /**
   * Opens and closes the drawer from the app (controlled): the app brings its own button, so the
   * floating one is not shown. The drawer's ✕ calls `onOpenChange(false)`.
   */
  readonly open?: boolean
  /** Called when the drawer opens or closes (its ✕, the floating button). */
  readonly onOpenChange?: (open: boolean) => void
  /** Where the floating button sits (default bottom-right). */
  readonly position?: 'bottom-right' | 'bottom-left'
  /** Decides the status column (default: undone or confirmed; a sync engine adds pending). */
  readonly status?: EventStatusFunction
}

/** The provider's store, or null outside a provider (the hook is called either way). */
function useProviderStore(): Store | null {
  try {
    return useStore()
  } catch {
    return null
  }
}

/**
 * The Chronicle devtools: a floating button that opens a resizable drawer with the event
 * timeline, an inspector, the read models at any position, time travel, undo and redo. The panel
 * is loaded lazily (a separate chunk). Render it in development only:
 *
 * @example
 * <ChronicleProvider store={store}>
 *   <App />
 *   {import.meta.env.DEV && <ChronicleDevtools />}
 * </ChronicleProvider>
 */
export function ChronicleDevtools({ store: given, initialIsOpen = false, position = 'bottom-right', status = defaultEventStatus, open, onOpenChange }: ChronicleDevtoolsProps) {
  const fromProvider = useProviderStore()
  const store = given ?? fromProvider
  if (!store) throw new Error('<ChronicleDevtools> needs a store: pass store={store}, or render it inside <ChronicleProvider store={store}>.')
  return (
    <Suspense fallback={null}>
      <Devtools store={store} status={status} initialIsOpen={initialIsOpen} position={position} {...(open === undefined ? {} : { open })} {...(onOpenChange ? { onOpenChange } : {})} />
    </Suspense>
  )
}
