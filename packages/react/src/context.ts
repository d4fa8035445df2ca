import { createContext, createElement, useContext, useMemo, type ReactNode } from 'react'
import type { Store } from '@chronicle/core'

interface ChronicleContextValue {
  readonly store: Store
  readonly suspense: boolean
}

const ChronicleContext = createContext<ChronicleContextValue | null>(null)

/** Props of `ChronicleProvider`. */
export interface ChronicleProviderProps {
  /** The store the hooks below read and dispatch to; create it once, outside render. */
  readonly store: Store
  /**
   * Suspend components that read the store until its read models are ready after a cold start
   * (default false: they render the initial state, then the loaded one).
   */
  readonly suspense?: boolean
  /** The components that use the hooks. */
  readonly children?: ReactNode
}

/**
 * Makes a store available to the hooks below it.
 *
 * @example
 * <ChronicleProvider store={store} suspense>
 *   <Suspense fallback={<Spinner />}><Board /></Suspense>
 * </ChronicleProvider>
 */
export function ChronicleProvider({ store, suspense = false, children }: ChronicleProviderProps) {
  // A new context value would re-render every component that uses a hook, whatever it reads.
  const value = useMemo(() => ({ store, suspense }), [store, suspense])
  return createElement(ChronicleContext.Provider, { value }, children)
}

/** The nearest provider's store and options; throws a message naming `hook` when there is none. */
export function useChronicleContext(hook: string): ChronicleContextValue {
  const value = useContext(ChronicleContext)
  if (!value) {
    throw new Error(`${hook}() was called outside a <ChronicleProvider>. Render the component inside <ChronicleProvider store={store}>, where store comes from createStore().`)
  }
  return value
}

/** The store of the nearest `ChronicleProvider`. */
export function useStore(): Store {
  return useChronicleContext('useStore').store
}
