import { describe, expect, it, vi } from 'vitest'
import { connectReduxDevtools, type ReduxDevtoolsConnection, type ReduxDevtoolsExtension, type ReduxDevtoolsMessage } from '../reduxDevtools'
import { addCard, addCards, boardView, lastEventIs, moveCard, openStore } from './fixtures'

/**
 * A stand-in for the Redux DevTools browser extension (`window.__REDUX_DEVTOOLS_EXTENSION__`):
 * it implements the extension's connect() API and records what the app sends.
 */
function fakeExtension() {
  const sent: { action: unknown; state: unknown }[] = []
  const errors: string[] = []
  const listeners = new Set<(message: ReduxDevtoolsMessage) => void>()
  const inits: unknown[] = []
  const options: unknown[] = []
  const connection: ReduxDevtoolsConnection = {
    init: (state) => void inits.push(state),
    send: (action, state) => void sent.push({ action, state }),
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    error: (message) => void errors.push(message),
  }
  const extension: ReduxDevtoolsExtension = {
    connect(given) {
      options.push(given)
      return connection
    },
  }
  const dispatch = (payload: Record<string, unknown>, state?: string) => {
    for (const listener of listeners) listener({ type: 'DISPATCH', payload, ...(state === undefined ? {} : { state }) })
  }
  return { extension, sent, errors, inits, options, listeners, dispatch, actions: () => sent.filter((s) => s.action !== null) }
}

describe('connectReduxDevtools', () => {
  it('does nothing when the extension is absent', async () => {
    const store = openStore()
    const disconnect = connectReduxDevtools(store, { target: {} })
    await addCards(store, 1)
    expect(() => disconnect()).not.toThrow()
    // And with the real global, where there is no extension either.
    expect(typeof connectReduxDevtools(store)).toBe('function')
  })

  it('sends each command as an action with the read models after it', async () => {
    const store = openStore()
    await addCards(store, 2)
    const fake = fakeExtension()
    const disconnect = connectReduxDevtools(store, { target: { __REDUX_DEVTOOLS_EXTENSION__: fake.extension } })
    await vi.waitFor(() => expect(fake.inits).toHaveLength(1))
    expect(fake.options[0]).toMatchObject({ name: 'Chronicle kanban', features: { jump: true, skip: true } })
    // The log before the connection is the initial state.
    expect(fake.inits[0]).toMatchObject({ boardView: { count: 2 } })

    await store.dispatch(addCard({ boardId: 'b', cardId: 'x', title: 'x' }))
    const move = await store.dispatch(moveCard({ boardId: 'b', cardId: 'x', to: 'done' }))
    await lastEventIs(store, 'CardArchived')
    await vi.waitFor(() => expect(fake.actions()).toHaveLength(3))
    const [added, moved, archivedAction] = fake.actions()
    expect(added!.action).toMatchObject({ type: 'CardAdded', stream: 'board-b', position: 3, events: [{ seq: 3, type: 'CardAdded', payload: { cardId: 'x' } }] })
    expect(added!.state).toMatchObject({ boardView: { count: 3, columns: { todo: ['c0', 'c1', 'x'] } }, archived: { ids: [] } })
    expect(moved!.action).toMatchObject({ type: 'CardMoved', commandId: move.commandId, origin: store.origin })
    expect(moved!.state).toMatchObject({ boardView: { columns: { done: ['x'] } }, archived: { ids: [] } })
    expect(archivedAction!.action).toMatchObject({ type: 'CardArchived', stream: 'archive' })
    expect(archivedAction!.state).toMatchObject({ archived: { ids: ['x'] } })

    disconnect()
    expect(fake.listeners.size).toBe(0)
    await store.dispatch(addCard({ boardId: 'b', cardId: 'y', title: 'y' }))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(fake.actions()).toHaveLength(3)
  })

  it('sends only positions as state when asked to leave read models out', async () => {
    const store = openStore()
    const fake = fakeExtension()
    connectReduxDevtools(store, { target: { __REDUX_DEVTOOLS_EXTENSION__: fake.extension }, readModels: false })
    await addCards(store, 2)
    await vi.waitFor(() => expect(fake.actions()).toHaveLength(2))
    expect(fake.inits).toEqual([{ position: 0 }])
    expect(fake.actions().map((a) => a.state)).toEqual([{ position: 1 }, { position: 2 }])
  })

  it('jump controls travel the store; jumping to the latest action returns to live', async () => {
    const store = openStore()
    const fake = fakeExtension()
    connectReduxDevtools(store, { target: { __REDUX_DEVTOOLS_EXTENSION__: fake.extension } })
    await addCards(store, 3)
    await vi.waitFor(() => expect(fake.actions()).toHaveLength(3))

    fake.dispatch({ type: 'JUMP_TO_ACTION', actionId: 1 }, '{}')
    await vi.waitFor(() => expect(store.travelling).toBe(1))
    expect(store.read(boardView).count).toBe(1)
    // The slider sends JUMP_TO_STATE (with an index, and the action id in newer versions).
    fake.dispatch({ type: 'JUMP_TO_STATE', index: 0 }, '{}')
    await vi.waitFor(() => expect(store.travelling).toBe(0))
    expect(store.read(boardView).count).toBe(0)
    fake.dispatch({ type: 'JUMP_TO_STATE', index: 2, actionId: 2 }, '{}')
    await vi.waitFor(() => expect(store.travelling).toBe(2))
    fake.dispatch({ type: 'JUMP_TO_ACTION', actionId: 3 }, '{}')
    await vi.waitFor(() => expect(store.travelling).toBeNull())
    expect(store.read(boardView).count).toBe(3)
  })

  it('skipping the latest command undoes it, un-skipping redoes it, and other skips are refused', async () => {
    const store = openStore()
    const fake = fakeExtension()
    connectReduxDevtools(store, { target: { __REDUX_DEVTOOLS_EXTENSION__: fake.extension } })
    await addCards(store, 2, 1)
    await vi.waitFor(() => expect(fake.actions()).toHaveLength(2))
    const lifted = (skipped: number[]) => JSON.stringify({ actionsById: {}, skippedActionIds: skipped })

    fake.dispatch({ type: 'TOGGLE_ACTION', id: 2 }, lifted([2]))
    await vi.waitFor(() => expect(store.read(boardView).count).toBe(1))
    expect(store.history.isUndone((fake.actions()[1]!.action as { commandId: string }).commandId)).toBe(true)
    // The Undone event arrives as an action of its own.
    await vi.waitFor(() => expect(fake.actions().at(-1)!.action).toMatchObject({ type: 'Undone' }))

    fake.dispatch({ type: 'TOGGLE_ACTION', id: 2 }, lifted([]))
    await vi.waitFor(() => expect(store.read(boardView).count).toBe(2))

    // Action 1 is not the latest command: refused, and the extension is told it is not skipped.
    fake.dispatch({ type: 'TOGGLE_ACTION', id: 1 }, lifted([1]))
    await vi.waitFor(() => expect(fake.errors).toHaveLength(1))
    expect(fake.errors[0]).toMatch(/latest command/)
    expect(fake.sent.at(-1)).toEqual({ action: null, state: { actionsById: {}, skippedActionIds: [] } })
    expect(store.read(boardView).count).toBe(2)
  })
})
