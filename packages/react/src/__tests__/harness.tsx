// Shared setup of the React tests: the two render modes, stores over in-memory logs, storage whose
// open and append the test releases by hand, an error boundary, and a console that must stay quiet.
import { Component, Fragment, StrictMode, version, type ErrorInfo, type ReactNode } from 'react'
import { afterEach, beforeEach, expect, vi } from 'vitest'
import { cleanup, render, type RenderOptions } from '@testing-library/react'
import { createStore, memoryStorage, type AnyProjectionDefinition, type StorageBackend, type Store } from '@chronicle/core'
import { ChronicleProvider } from '../index'
import { boardView, commands, titles } from '../../../core/src/__tests__/fixtures'
import { fragile } from '../../../core/src/__tests__/observedStore'

export { fragile }

/** Every suite runs under both: StrictMode double-invokes renders, effects and subscriptions. */
export const modes = [
  { mode: 'StrictMode', Mode: StrictMode },
  { mode: 'no StrictMode', Mode: Fragment },
] as const
export type Mode = (typeof modes)[number]['Mode']

const stores: Store[] = []

/** A store over the Kanban fixtures; closed after the test. */
export function openStore(storage: StorageBackend = memoryStorage(), projections: readonly AnyProjectionDefinition[] = [boardView, titles, fragile]): Store {
  const store = createStore({ name: 'kanban', commands, projections, storage })
  stores.push(store)
  return store
}

/** A promise the test resolves by hand. */
export function gate() {
  let release!: () => void
  const opened = new Promise<void>((resolve) => (release = resolve))
  return { opened, release }
}

/** In-memory storage whose `open` waits for `release()`: a cold start the test can watch. */
export function slowOpen(inner: StorageBackend = memoryStorage()) {
  const { opened, release } = gate()
  const backend: StorageBackend = {
    kind: 'memory',
    async open(name) {
      await opened
      return inner.open(name)
    },
  }
  return { backend, release }
}

/** In-memory storage whose appends wait while held: a command the test can keep pending. */
export function heldAppends(inner: StorageBackend = memoryStorage()) {
  let held: Promise<void> = Promise.resolve()
  const backend: StorageBackend = {
    kind: 'memory',
    async open(name) {
      const log = await inner.open(name)
      return {
        ...log,
        append: async (batch) => {
          await held
          return log.append(batch)
        },
      }
    },
  }
  return {
    backend,
    /** Holds every append until the returned function is called. */
    hold() {
      const { opened, release } = gate()
      held = opened
      return release
    },
  }
}

/** Renders `ui` inside the mode's wrapper and a provider of `store`. */
export function renderWith(Mode: Mode, store: Store, ui: ReactNode, options: { suspense?: boolean } & Pick<RenderOptions, 'onCaughtError'> = {}) {
  const { suspense = false, ...rest } = options
  const Wrapper = ({ children }: { children: ReactNode }) => (
    <Mode>
      <ChronicleProvider store={store} suspense={suspense}>
        {children}
      </ChronicleProvider>
    </Mode>
  )
  return render(ui, { wrapper: Wrapper, ...rest })
}

/** True when the tests run on React 18 (the vitest project react18), false on React 19. */
export const isReact18 = version.startsWith('18.')

/** Where `Boundary` reports what it caught on React 18, which has no `onCaughtError`. */
let reportCaught: ((error: unknown) => void) | undefined
/** Keeps React 18 from logging an error a boundary caught (it skips errors whose window event was prevented). */
const quietRenderError = (event: ErrorEvent) => event.preventDefault()

/**
 * Render options that collect into `caught` the errors an error boundary catches, instead of React
 * logging them: React 19's `onCaughtError`; on React 18, `Boundary` reports them itself.
 */
export function catchErrors(caught: unknown[]): Pick<RenderOptions, 'onCaughtError'> {
  if (!isReact18) return { onCaughtError: (error) => caught.push(error) }
  reportCaught = (error) => caught.push(error)
  window.addEventListener('error', quietRenderError)
  return {}
}

/** Shows the caught error's message instead of its children. */
export class Boundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null }
  static getDerivedStateFromError(error: Error) {
    return { error }
  }
  override componentDidCatch(error: Error, _info: ErrorInfo) {
    reportCaught?.(error)
  }
  override render() {
    return this.state.error ? <p role="alert">{`${this.state.error.name}: ${this.state.error.message}`}</p> : this.props.children
  }
}

/**
 * Fails the test on any console.error or console.warn (act warnings, updates after unmount, key
 * warnings...); closes the test's stores and unmounts what it rendered.
 */
export function guardConsole() {
  let error: ReturnType<typeof vi.spyOn>
  let warn: ReturnType<typeof vi.spyOn>
  beforeEach(() => {
    error = vi.spyOn(console, 'error')
    warn = vi.spyOn(console, 'warn')
  })
  afterEach(async () => {
    cleanup()
    await Promise.all(stores.splice(0).map((s) => s.close()))
    reportCaught = undefined
    window.removeEventListener('error', quietRenderError)
    const calls = { error: error.mock.calls, warn: warn.mock.calls }
    error.mockRestore()
    warn.mockRestore()
    expect(calls).toEqual({ error: [], warn: [] })
  })
}

/**
 * Lets React schedule for real in the tests of the calling file (time slicing, pausing on a
 * suspended promise) instead of flushing everything synchronously inside act().
 */
export function realScheduling() {
  const global = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean | undefined }
  let actEnvironment: boolean | undefined
  beforeEach(() => {
    actEnvironment = global.IS_REACT_ACT_ENVIRONMENT
    global.IS_REACT_ACT_ENVIRONMENT = false
  })
  afterEach(() => {
    global.IS_REACT_ACT_ENVIRONMENT = actEnvironment
  })
}
