import { createContext, createElement, useContext, useEffect, useLayoutEffect, useMemo, useState, type ReactNode } from 'react'
import type { Store } from '@chronicle/core'
import { TransitionGate } from './transitions'

interface ChronicleContextValue {
  readonly store: Store
  readonly suspense: boolean
  readonly gate: TransitionGate
}

const ChronicleContext = createContext<ChronicleContextValue | null>(null)
/** The store version a render shows (`TransitionGate`): a transition's renders get the new one, urgent renders the old one. */
const VersionContext = createContext(0)

/** The version this render shows (see `TransitionGate`). */
export function useShownVersion(): number {
  return useContext(VersionContext)
}

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
  const value = useMemo(() => ({ store, suspense, gate: TransitionGate.of(store) }), [store, suspense])
  const { gate } = value
  // Changes caused by a dispatch made in a transition arrive as transition updates of this state.
  const [version, setVersion] = useState(gate.version)
  useEffect(() => gate.listen(setVersion), [gate])
  useLayoutEffect(() => gate.committed(version), [gate, version])
  return createElement(ChronicleContext.Provider, { value }, createElement(VersionContext.Provider, { value: version }, children))
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
