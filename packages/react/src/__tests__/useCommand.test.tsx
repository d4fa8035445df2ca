import { describe, expect, it, vi } from 'vitest'
import { act, fireEvent, screen } from '@testing-library/react'
import { isChronicleError, memoryStorage, type Receipt } from '@chronicle/core'
import { useCommand, type CommandState } from '../index'
import { addCard, boardView } from '../../../core/src/__tests__/fixtures'
import { guardConsole, heldAppends, modes, openStore, renderWith } from './harness'

/** A button that adds card `cardId`, recording every state the hook rendered with. */
function harness(cardId: string) {
  const seen: CommandState[] = []
  const results: (Receipt | undefined)[] = []
  function AddCard() {
    const add = useCommand(addCard)
    if (seen.at(-1)?.status !== add.status) seen.push({ status: add.status, error: add.error, receipt: add.receipt } as CommandState)
    return (
      <>
        <button onClick={() => void add.dispatch({ boardId: 'b', cardId, title: 'Write docs' }).then((r) => results.push(r))}>add</button>
        <button onClick={add.reset}>reset</button>
        <p data-testid="status">{add.status === 'error' ? `error ${add.error.code}` : add.status}</p>
      </>
    )
  }
  return { AddCard, seen, results }
}

describe.each(modes)('useCommand ($mode)', ({ Mode }) => {
  guardConsole()

  it('goes idle -> pending -> ok with the receipt', async () => {
    const { backend, hold } = heldAppends()
    const store = openStore(backend)
    await store.ready
    const { AddCard, seen, results } = harness('c1')
    renderWith(Mode, store, <AddCard />)
    const release = hold()
    fireEvent.click(screen.getByText('add'))
    expect(screen.getByTestId('status').textContent).toBe('pending')
    await act(async () => {
      release()
      await vi.waitFor(() => expect(results).toHaveLength(1))
    })
    expect(screen.getByTestId('status').textContent).toBe('ok')
    expect(seen.map((s) => s.status)).toEqual(['idle', 'pending', 'ok'])
    const receipt = seen.at(-1)!.receipt
    expect(receipt).toEqual({ commandId: expect.any(String), position: 1, eventCount: 1, duplicate: false })
    expect(results).toEqual([receipt])
    expect(store.read(boardView).columns.todo).toEqual(['c1'])
  })

  it('goes idle -> pending -> error with the typed error, and back to idle on reset', async () => {
    const store = openStore()
    await store.ready
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'taken' }))
    const { AddCard, seen, results } = harness('c1')
    renderWith(Mode, store, <AddCard />)
    await act(async () => fireEvent.click(screen.getByText('add')))
    expect(screen.getByTestId('status').textContent).toBe('error card-exists')
    expect(seen.map((s) => s.status)).toEqual(['idle', 'pending', 'error'])
    const { error, receipt } = seen.at(-1)!
    expect(isChronicleError(error, 'RuleViolation')).toBe(true)
    expect(error?.message).toBe('Card c1 already exists')
    expect(receipt).toBeUndefined()
    expect(results).toEqual([undefined])
    fireEvent.click(screen.getByText('reset'))
    expect(screen.getByTestId('status').textContent).toBe('idle')
  })

  it('rejects from dispatchAsync and shows only the latest dispatch', async () => {
    const { backend, hold } = heldAppends()
    const store = openStore(backend)
    await store.ready
    let handle!: ReturnType<typeof useCommand<Parameters<typeof addCard>[0]>>
    function Add() {
      handle = useCommand(addCard)
      return <p data-testid="status">{handle.status === 'ok' ? `ok at ${handle.receipt.position}` : handle.status}</p>
    }
    renderWith(Mode, store, <Add />)
    const release = hold()
    let first!: Promise<unknown>
    let second!: Promise<unknown>
    act(() => {
      first = handle.dispatchAsync({ boardId: 'b', cardId: 'c1', title: 'one' }).catch((e: unknown) => e)
      second = handle.dispatchAsync({ boardId: 'b', cardId: 'c1', title: 'again' }).catch((e: unknown) => e)
    })
    await act(async () => {
      release()
      await Promise.all([first, second])
    })
    expect(await first).toMatchObject({ position: 1 })
    expect(isChronicleError(await second, 'RuleViolation')).toBe(true)
    expect(screen.getByTestId('status').textContent).toBe('error')
  })

  it('ignores a pending dispatch after reset', async () => {
    const { backend, hold } = heldAppends()
    const store = openStore(backend)
    await store.ready
    const { AddCard, results } = harness('c1')
    renderWith(Mode, store, <AddCard />)
    const release = hold()
    fireEvent.click(screen.getByText('add'))
    fireEvent.click(screen.getByText('reset'))
    await act(async () => {
      release()
      await vi.waitFor(() => expect(results).toHaveLength(1))
    })
    expect(screen.getByTestId('status').textContent).toBe('idle')
  })

  it('does not touch an unmounted component, and the command still commits', async () => {
    const { backend, hold } = heldAppends(memoryStorage())
    const store = openStore(backend)
    await store.ready
    const { AddCard, seen, results } = harness('c1')
    const view = renderWith(Mode, store, <AddCard />)
    const release = hold()
    fireEvent.click(screen.getByText('add'))
    expect(screen.getByTestId('status').textContent).toBe('pending')
    view.unmount()
    release()
    await vi.waitFor(() => expect(results).toHaveLength(1))
    expect(results[0]).toMatchObject({ position: 1, eventCount: 1 })
    expect(seen.map((s) => s.status)).toEqual(['idle', 'pending'])
    expect(store.read(boardView).columns.todo).toEqual(['c1'])
    // guardConsole fails the test on any warning, e.g. an update outside act on an unmounted component.
  })
})
