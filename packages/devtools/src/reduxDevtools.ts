import type { EventEnvelope, Store } from '@chronicle/core'

/** A message the Redux DevTools extension sends to a connected app. */
export interface ReduxDevtoolsMessage {
  readonly type: string
  readonly payload?: unknown
  /** JSON: the app state for jumps, the extension's lifted state for TOGGLE_ACTION. */
  readonly state?: string
}

/** One connection to the Redux DevTools extension (the part of its API this bridge uses). */
export interface ReduxDevtoolsConnection {
  init(state: unknown): void
  send(action: unknown, state: unknown): void
  subscribe(listener: (message: ReduxDevtoolsMessage) => void): (() => void) | void
  unsubscribe?(): void
  error?(message: string): void
}

/** `window.__REDUX_DEVTOOLS_EXTENSION__`, as far as this bridge uses it. */
export interface ReduxDevtoolsExtension {
  connect(options?: Record<string, unknown>): ReduxDevtoolsConnection
}

/** Options of `connectReduxDevtools`. */
export interface ReduxDevtoolsOptions {
  /** The instance name the extension shows (default `Chronicle <store name>`). */
  readonly name?: string
  /** Where to look for `__REDUX_DEVTOOLS_EXTENSION__` (default `globalThis`). */
  readonly target?: { readonly __REDUX_DEVTOOLS_EXTENSION__?: ReduxDevtoolsExtension | undefined }
  /**
   * Send every read model's state with each action (default true). The extension serialises each
   * state it receives: with very large read models, pass false and each action carries only its
   * log position as state (the in-page panel shows states on demand).
   */
  readonly readModels?: boolean
}

/** The action a command appears as: its events' types, and the events themselves. */
export interface CommandAction {
  readonly type: string
  readonly commandId: string
  readonly stream: string
  readonly origin: string
  readonly position: number
  readonly events: readonly { readonly seq: number; readonly type: string; readonly payload: unknown }[]
}

/** Splits events into the commands that wrote them (a command's events are contiguous in the log). */
function commandsOf(events: readonly EventEnvelope[]): EventEnvelope[][] {
  const groups: EventEnvelope[][] = []
  for (const event of events) {
    const last = groups.at(-1)
    if (last && last[0]!.meta.commandId === event.meta.commandId) last.push(event)
    else groups.push([event])
  }
  return groups
}

const actionOf = (events: EventEnvelope[]): CommandAction => {
  const first = events[0]!
  const types = [...new Set(events.map((e) => e.type))]
  return {
    type: types.join(' + '),
    commandId: first.meta.commandId,
    stream: first.stream,
    origin: first.meta.origin,
    position: events.at(-1)!.seq,
    events: events.map((e) => ({ seq: e.seq, type: e.type, payload: e.payload })),
  }
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

const numberIn = (value: unknown, key: string): number | undefined => {
  const field = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined
  return typeof field === 'number' ? field : undefined
}

/**
 * Shows a store in the Redux DevTools browser extension: every command (from this tab or any
 * other) appears as an action named after its events, with every read model's state after it.
 * The extension's jump and slider controls travel the store (`store.travel`); jumping to the
 * latest action returns to live. Skipping an action undoes its command when it is this session's
 * latest (undo is last in first out) and redoes it when un-skipped; other skips are refused with
 * a message in the extension. Does nothing when the extension is absent. Returns a function
 * that disconnects.
 *
 * Only commands after the connection appear: the log before it is the initial state.
 *
 * @example
 * if (import.meta.env.DEV) connectReduxDevtools(store)
 */
export function connectReduxDevtools(store: Store, options: ReduxDevtoolsOptions = {}): () => void {
  const target = options.target ?? (globalThis as ReduxDevtoolsOptions['target'])
  const extension = target?.__REDUX_DEVTOOLS_EXTENSION__
  if (!extension) return () => undefined

  const connection = extension.connect({
    name: options.name ?? `Chronicle ${store.name}`,
    features: { jump: true, skip: true, pause: false, lock: false, persist: false, export: true, import: false, reorder: false, dispatch: false, test: false },
  })
  /** Extension action id -> log position and command (0 is the initial state). */
  const actions = new Map<number, { position: number; commandId: string | undefined }>()
  let nextActionId = 1
  let seen = 0
  let stopped = false
  let work: Promise<void> = Promise.resolve()
  const serially = (task: () => Promise<void>) => {
    work = work.then(task).catch((error: unknown) => connection.error?.(error instanceof Error ? error.message : String(error)))
  }

  const statesAt = async (position: number) => {
    if (options.readModels === false) return { position }
    const states: Record<string, unknown> = {}
    for (const projection of store.projections) {
      // The live state when it is the one asked for; else a fold from the nearest snapshot.
      states[projection.name] = position === store.position && store.travelling === null ? store.read(projection) : await store.stateAt(projection, position)
    }
    return states
  }

  const follow = async () => {
    while (!stopped && seen < store.position) {
      const events = await store.log({ after: seen, to: store.position, limit: 1000 })
      if (events.length === 0) break
      for (const command of commandsOf(events)) {
        const action = actionOf(command)
        // A burst of commands must not become one long task: one command per task.
        await nextTask()
        const state = await statesAt(action.position)
        if (stopped) return
        actions.set(nextActionId++, { position: action.position, commandId: action.commandId })
        connection.send(action, state)
      }
      seen = events.at(-1)!.seq
    }
  }

  const jump = async (actionId: number | undefined) => {
    const entry = actionId === undefined ? undefined : actions.get(actionId)
    if (!entry) return
    await store.travel(actionId === nextActionId - 1 ? null : entry.position)
  }

  const toggle = async (actionId: number | undefined, lifted: string | undefined) => {
    const commandId = actionId === undefined ? undefined : actions.get(actionId)?.commandId
    if (commandId !== undefined && commandId === store.history.undoTarget) return void (await store.history.undo())
    if (commandId !== undefined && commandId === store.history.redoTarget) return void (await store.history.redo())
    connection.error?.('Chronicle can skip only the latest command of this tab that is still in effect (undo), or bring back the latest undone one (redo).')
    if (!lifted || actionId === undefined) return
    // Tell the extension the action is not skipped after all.
    const state = JSON.parse(lifted) as { skippedActionIds?: number[] }
    connection.send(null, { ...state, skippedActionIds: (state.skippedActionIds ?? []).filter((id) => id !== actionId) })
  }

  const unsubscribe = connection.subscribe((message) => {
    if (message.type !== 'DISPATCH') return
    const kind = typeof message.payload === 'object' && message.payload !== null ? (message.payload as { type?: unknown }).type : undefined
    if (kind === 'JUMP_TO_ACTION' || kind === 'JUMP_TO_STATE') {
      // Newer extensions send the action id with both; older ones only an index for JUMP_TO_STATE.
      const actionId = numberIn(message.payload, 'actionId') ?? numberIn(message.payload, 'index')
      serially(() => jump(actionId))
    } else if (kind === 'TOGGLE_ACTION') {
      const actionId = numberIn(message.payload, 'id')
      serially(() => toggle(actionId, message.state))
    }
  })

  serially(async () => {
    await store.ready
    seen = store.position
    actions.set(0, { position: seen, commandId: undefined })
    connection.init(await statesAt(seen))
  })
  const subscription = store.position$.subscribe(() => serially(follow))

  return () => {
    stopped = true
    subscription.unsubscribe()
    if (typeof unsubscribe === 'function') unsubscribe()
    else connection.unsubscribe?.()
  }
}
