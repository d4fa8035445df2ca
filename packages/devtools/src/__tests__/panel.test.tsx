import { StrictMode } from 'react'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { createStore, memoryStorage, type Store } from '@chronicle/core'
import { loopbackServer } from '../../../core/src/__tests__/loopback'
import { ChronicleProvider } from '@chronicle/react'
import { guardConsole } from '../../../react/src/__tests__/harness'
import { ChronicleDevtools } from '../index'
import { addCard, addCards, boardView, commands, lastEventIs, moveCard, openStore, projections } from './fixtures'

// Fails a test on any console.error or console.warn (act warnings, updates after unmount...).
guardConsole()

/** The positions of the timeline's rows in the DOM. */
const shownRows = () => within(screen.getByRole('listbox', { name: 'Events' })).queryAllByRole('option').map((o) => Number(o.dataset.seq))
const row = (seq: number) => document.querySelector<HTMLElement>(`[role=option][data-seq="${seq}"]`)

let strict = false

async function openPanel(store: Store) {
  render(<ChronicleDevtools store={store} />, { wrapper: strict ? StrictMode : undefined })
  fireEvent.click(await screen.findByRole('button', { name: 'Open Chronicle devtools' }))
  await screen.findByRole('region', { name: 'Chronicle devtools' })
  await waitFor(() => expect(row(store.position)).not.toBeNull())
}

const tab = (name: string) => fireEvent.click(screen.getByRole('tab', { name }))

describe.each([false, true])('<ChronicleDevtools /> (StrictMode: %s)', (strictMode) => {
  beforeEach(() => {
    strict = strictMode
  })

  it('opens from a floating button and shows the selected event, its payload as text only', async () => {
    const store = openStore()
    await addCards(store, 3)
    const attack = '<img src=x onerror="window.__pwned = true">'
    await store.dispatch(addCard({ boardId: 'b0', cardId: 'evil', title: attack }))
    await openPanel(store)
    expect(shownRows()).toEqual([1, 2, 3, 4])
    expect(row(2)!.textContent).toContain('CardAdded')
    expect(row(2)!.textContent).toContain('board-b1')
    expect(row(2)!.textContent).toContain('this tab')
    expect(row(2)!.textContent).toContain('confirmed')

    fireEvent.click(row(4)!)
    expect(row(4)!.getAttribute('aria-selected')).toBe('true')
    const event = await screen.findByLabelText('Event 4')
    expect(event.textContent).toContain(store.origin)
    const payload = within(event).getByRole('tree', { name: 'payload' })
    expect(payload.textContent).toContain(JSON.stringify(attack))
    // Rendered as text: no element was made from the payload, nothing ran.
    expect(document.querySelector('img')).toBeNull()
    expect((window as { __pwned?: boolean }).__pwned).toBeUndefined()
  })

  it('reads the store from ChronicleProvider, and says what to do without one', async () => {
    const store = openStore()
    await addCards(store, 2)
    render(
      <ChronicleProvider store={store}>
        <ChronicleDevtools initialIsOpen />
      </ChronicleProvider>,
      { wrapper: strict ? StrictMode : undefined },
    )
    await waitFor(() => expect(shownRows()).toEqual([1, 2]))
    cleanup()
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    expect(() => render(<ChronicleDevtools />)).toThrow(/needs a store/)
    // React reports the error it rethrows: expected here, so it does not count against the test.
    quiet.mockClear()
    quiet.mockRestore()
  })

  it('shows each read model at the selected position with a diff against the position before', async () => {
    const store = openStore()
    await addCards(store, 3)
    await store.dispatch(moveCard({ boardId: 'b1', cardId: 'c1', to: 'doing' }))
    const stateAt = vi.spyOn(store, 'stateAt')
    await openPanel(store)
    tab('Read models')
    // Nothing selected: the live state, and no fold of past positions.
    expect(await screen.findByText(/Live state at position 4/)).toBeTruthy()
    expect(stateAt).not.toHaveBeenCalled()

    fireEvent.click(row(2)!)
    const board = await screen.findByRole('region', { name: 'Read model boardView' })
    await waitFor(() => expect(within(board).getByRole('list', { name: 'Changes' })).toBeTruthy())
    const changes = within(board).getAllByRole('listitem').map((li) => li.textContent)
    expect(changes).toEqual(['columns.todo[1] + "c1"', 'count 1 → 2'])
    expect(within(board).getByRole('tree', { name: 'state' }).textContent).toContain('count: 2')
    const titles = screen.getByRole('region', { name: 'Read model titles' })
    expect(within(titles).getByRole('list', { name: 'Changes' }).textContent).toBe('c1 + "card 1"')
    expect(screen.getByRole('region', { name: 'Read model archived' }).textContent).toContain('No change at this event.')
    // Two folds per read model for the one selection: the position and the one before.
    expect(stateAt).toHaveBeenCalledTimes(6)

    fireEvent.click(row(4)!)
    await waitFor(() => expect(screen.getByRole('region', { name: 'Read model boardView' }).textContent).toContain('3 changes'))
    const moved = within(screen.getByRole('region', { name: 'Read model boardView' })).getAllByRole('listitem').map((li) => li.textContent)
    expect(moved).toEqual(['columns.todo[1] "c1" → "c2"', 'columns.todo[2] − "c2"', 'columns.doing + ["c1"]'])
  })

  it('filters the timeline by type and by stream', async () => {
    const store = openStore()
    await addCards(store, 6, 2)
    await store.dispatch(moveCard({ boardId: 'b1', cardId: 'c1', to: 'doing' }))
    await openPanel(store)
    fireEvent.change(screen.getByRole('combobox', { name: 'Filter by type' }), { target: { value: 'CardMoved' } })
    await waitFor(() => expect(shownRows()).toEqual([7]))
    fireEvent.change(screen.getByRole('combobox', { name: 'Filter by type' }), { target: { value: '' } })
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter by stream' }), { target: { value: 'b0' } })
    await waitFor(() => expect(shownRows()).toEqual([1, 3, 5]))
    expect(screen.getByText(/3 of 7 events/)).toBeTruthy()
  })

  it('travels with the step buttons and the slider, and returns to live', async () => {
    const store = openStore()
    await addCards(store, 5)
    await openPanel(store)
    const back = screen.getByRole('button', { name: 'Step back' })
    fireEvent.click(back)
    await waitFor(() => expect(store.travelling).toBe(4))
    // Stepping selects the event at the new position.
    expect(row(4)!.getAttribute('aria-selected')).toBe('true')
    expect(row(5)!.className).toContain('chr-dt-future')
    fireEvent.click(screen.getByRole('button', { name: 'Step back' }))
    await waitFor(() => expect(store.travelling).toBe(3))
    fireEvent.change(screen.getByRole('slider', { name: 'Log position' }), { target: { value: '1' } })
    await waitFor(() => expect(store.travelling).toBe(1))
    expect(store.read(boardView).count).toBe(1)
    fireEvent.click(screen.getByRole('button', { name: 'Step forward' }))
    await waitFor(() => expect(store.travelling).toBe(2))
    expect(screen.getByRole('status', { name: 'Shown position' }).textContent).toBe('2 / 5')
    fireEvent.click(screen.getByRole('button', { name: 'Live' }))
    await waitFor(() => expect(store.travelling).toBeNull())
    expect(store.read(boardView).count).toBe(5)
  })

  it('undoes and redoes from the panel, marks undone events, and reports refusals', async () => {
    const storage = memoryStorage()
    const store = openStore(storage)
    await addCards(store, 2, 1)
    await openPanel(store)
    const undo = screen.getByRole('button', { name: 'Undo' })
    fireEvent.click(undo)
    await waitFor(() => expect(row(3)).not.toBeNull())
    expect(row(3)!.textContent).toContain('Undone')
    await waitFor(() => expect(row(2)!.textContent).toContain('undone'))
    expect(store.read(boardView).count).toBe(1)
    fireEvent.click(screen.getByRole('button', { name: 'Redo' }))
    await waitFor(() => expect(row(4)).not.toBeNull())
    await waitFor(() => expect(row(2)!.textContent).toContain('confirmed'))
    expect(store.read(boardView).count).toBe(2)

    // Undo is refused while travelling (the store would refuse it too).
    fireEvent.click(screen.getByRole('button', { name: 'Step back' }))
    await waitFor(() => expect(store.travelling).toBe(3))
    expect(screen.getByRole('button', { name: 'Undo' })).toHaveProperty('disabled', true)
    fireEvent.click(screen.getByRole('button', { name: 'Live' }))
    await waitFor(() => expect(screen.getByRole('button', { name: 'Undo' })).toHaveProperty('disabled', false))

    // Another session's later command on the same stream blocks the undo: the panel says why.
    await openStore(storage).dispatch(moveCard({ boardId: 'b0', cardId: 'c0', to: 'doing' }))
    fireEvent.click(screen.getByRole('button', { name: 'Undo' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toMatch(/^UndoConflict \(later-command\): Cannot undo command/)
    fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss' }))
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('shows the causation chain: a reaction hangs under the event that triggered it', async () => {
    const store = openStore()
    await addCards(store, 1, 1)
    await store.dispatch(moveCard({ boardId: 'b0', cardId: 'c0', to: 'done' }))
    await lastEventIs(store, 'CardArchived')
    await openPanel(store)
    fireEvent.click(row(3)!)
    tab('Causation')
    const chain = await screen.findByRole('tree', { name: 'Causation chain' })
    expect(chain.textContent).toContain('#2 CardMoved · board-b0')
    expect(chain.textContent).toContain('reaction to #2 CardMoved')
    expect(chain.textContent).toContain('#3 CardArchived · archive')
    expect(chain.textContent).not.toContain('#1 CardAdded')
    fireEvent.click(within(chain).getByRole('button', { name: '#2 CardMoved · board-b0' }))
    expect(row(2)!.getAttribute('aria-selected')).toBe('true')
  })

  it('lists the commands waiting for the server as pending, under the log, until the server confirms them', async () => {
    const { client } = loopbackServer(commands)
    const link = client()
    const store = createStore({ name: 'kanban', commands, projections, storage: memoryStorage(), sync: link })
    await store.ready
    await store.dispatch(addCard({ boardId: 'b0', cardId: 'c0', title: 'synced' }))
    await link.round()
    const move = await store.dispatch(moveCard({ boardId: 'b0', cardId: 'c0', to: 'doing' }))
    await store.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 'offline' }))
    await openPanel(store)
    expect(shownRows()).toEqual([1])
    const waiting = screen.getByRole('region', { name: 'Waiting for the server' })
    expect(waiting.textContent).toContain('Waiting for the server: 2 commands')
    const pendingRows = [...waiting.querySelectorAll<HTMLElement>('.chr-dt-row')]
    expect(pendingRows.map((r) => [r.dataset.command, r.children[2]!.textContent, r.children[3]!.textContent, r.children[6]!.textContent])).toEqual([
      [move.commandId, 'CardMoved', 'board-b0', 'pending'],
      [expect.any(String), 'CardAdded', 'board-b1', 'pending'],
    ])

    // The timeline's filter applies to them too.
    fireEvent.change(screen.getByLabelText('Filter by stream'), { target: { value: 'b1' } })
    await waitFor(() => expect(waiting.querySelectorAll('.chr-dt-row')).toHaveLength(1))

    await link.round()
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Waiting for the server' })).toBeNull())
    fireEvent.change(screen.getByLabelText('Filter by stream'), { target: { value: '' } })
    await waitFor(() => expect(shownRows()).toEqual([1, 2, 3]))
    expect(row(2)!.textContent).toContain('confirmed')
    await store.close()
  })

  it('moves the selection with the arrow keys and travels to the selected event', async () => {
    const store = openStore()
    await addCards(store, 4)
    await openPanel(store)
    const list = screen.getByRole('listbox', { name: 'Events' })
    // With nothing selected, ArrowUp starts from the newest event.
    fireEvent.keyDown(list, { key: 'ArrowUp' })
    expect(row(4)!.getAttribute('aria-selected')).toBe('true')
    fireEvent.keyDown(list, { key: 'ArrowUp' })
    fireEvent.keyDown(list, { key: 'ArrowUp' })
    fireEvent.keyDown(list, { key: 'ArrowDown' })
    expect(list.getAttribute('aria-activedescendant')).toBe('chr-dt-event-3')
    fireEvent.click(await screen.findByRole('button', { name: 'Travel here' }))
    await waitFor(() => expect(store.travelling).toBe(3))
    expect(store.read(boardView).count).toBe(3)
  })
})
