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

describe.each(modes)('useCommand callbacks and flags ($mode)', ({ Mode }) => {
  guardConsole()

  it('shows isPending, isSuccess and isError with the variables of the latest dispatch', async () => {
    const { backend, hold } = heldAppends()
    const store = openStore(backend)
    await store.ready
    await store.dispatch(addCard({ boardId: 'b', cardId: 'taken', title: 'taken' }))
    let handle!: ReturnType<typeof useCommand<Parameters<typeof addCard>[0]>>
    function Add() {
      handle = useCommand(addCard)
      const flags = [handle.isIdle && 'idle', handle.isPending && 'pending', handle.isSuccess && 'success', handle.isError && 'error'].filter(Boolean)
      return <p data-testid="state">{`${flags.join(',')} ${handle.variables?.cardId ?? '-'}`}</p>
    }
    renderWith(Mode, store, <Add />)
    expect(screen.getByTestId('state').textContent).toBe('idle -')
    const release = hold()
    let done!: Promise<unknown>
    act(() => void (done = handle.dispatch({ boardId: 'b', cardId: 'c1', title: 'one' })))
    expect(screen.getByTestId('state').textContent).toBe('pending c1')
    await act(async () => {
      release()
      await done
    })
    expect(screen.getByTestId('state').textContent).toBe('success c1')
    await act(() => handle.dispatch({ boardId: 'b', cardId: 'taken', title: 'again' }))
    expect(screen.getByTestId('state').textContent).toBe('error taken')
    act(() => handle.reset())
    expect(screen.getByTestId('state').textContent).toBe('idle -')
  })

  it('calls the hook\'s latest callbacks for every dispatch and a call\'s own for the latest one', async () => {
    const { backend, hold } = heldAppends()
    const store = openStore(backend)
    await store.ready
    const calls: string[] = []
    let handle!: ReturnType<typeof useCommand<Parameters<typeof addCard>[0]>>
    function Add({ label }: { label: string }) {
      handle = useCommand(addCard, {
        onSuccess: (receipt, variables) => calls.push(`${label} success ${variables.cardId} at ${receipt.position}`),
        onError: (error, variables) => calls.push(`${label} error ${variables.cardId} ${error.code}`),
        onSettled: (_receipt, error) => calls.push(`${label} settled${error ? ' with error' : ''}`),
      })
      return <p data-testid="status">{handle.status}</p>
    }
    const view = renderWith(Mode, store, <Add label="first" />)
    // A re-render with new callbacks: the hook calls the latest ones, unmemoised.
    view.rerender(<Add label="hook" />)
    const release = hold()
    let both!: Promise<unknown>
    act(() => {
      both = Promise.all([
        handle.dispatch({ boardId: 'b', cardId: 'c1', title: 'one' }, { onSuccess: () => calls.push('call 1 success'), onSettled: () => calls.push('call 1 settled') }),
        handle.dispatch({ boardId: 'b', cardId: 'c1', title: 'again' }, { onError: (error) => calls.push(`call 2 error ${error.code}`), onSettled: () => calls.push('call 2 settled') }),
      ])
    })
    await act(async () => {
      release()
      await both
    })
    expect(calls).toEqual(['hook success c1 at 1', 'hook settled', 'hook error c1 card-exists', 'hook settled with error', 'call 2 error card-exists', 'call 2 settled'])
    expect(screen.getByTestId('status').textContent).toBe('error')
  })

  it('after unmount, calls the hook\'s callbacks but not the call\'s', async () => {
    const { backend, hold } = heldAppends()
    const store = openStore(backend)
    await store.ready
    const calls: string[] = []
    let handle!: ReturnType<typeof useCommand<Parameters<typeof addCard>[0]>>
    function Add() {
      handle = useCommand(addCard, { onSuccess: () => calls.push('hook success') })
      return null
    }
    const view = renderWith(Mode, store, <Add />)
    const release = hold()
    let done!: Promise<unknown>
    act(() => void (done = handle.dispatchAsync({ boardId: 'b', cardId: 'c1', title: 'one' }, { onSuccess: () => calls.push('call success') })))
    view.unmount()
    release()
    expect(await done).toMatchObject({ position: 1 })
    expect(calls).toEqual(['hook success'])
  })
})
