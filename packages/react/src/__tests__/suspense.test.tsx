import { Suspense } from 'react'
import { describe, expect, it } from 'vitest'
import { act, screen } from '@testing-library/react'
import { memoryStorage, type StorageBackend } from '@chronicle/core'
import { useIsReady, useProjection } from '../index'
import { addCard, boardView } from '../../../core/src/__tests__/fixtures'
import { Boundary, catchErrors, guardConsole, modes, openStore, renderWith, slowOpen } from './harness'

/** A log that already holds two cards, behind storage whose open waits for `release()`. */
async function coldStart() {
  const shared = memoryStorage()
  const writer = openStore(shared)
  await writer.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
  await writer.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
  await writer.close()
  const { backend, release } = slowOpen(shared)
  return { store: openStore(backend), release }
}

const renders: number[] = []
function Count() {
  const count = useProjection(boardView, (s) => s.count)
  renders.push(count)
  return <p data-testid="count">{`${count} cards`}</p>
}
function Ready() {
  return <p data-testid="ready">{useIsReady() ? 'ready' : 'loading'}</p>
}

describe.each(modes)('Suspense ($mode)', ({ Mode }) => {
  guardConsole()

  it('suspends until the store is ready, then renders the loaded state', async () => {
    const { store, release } = await coldStart()
    renders.length = 0
    renderWith(
      Mode,
      store,
      <Suspense fallback={<p data-testid="fallback">loading</p>}>
        <Count />
      </Suspense>,
      { suspense: true },
    )
    expect(screen.getByTestId('fallback')).toBeTruthy()
    expect(renders).toEqual([])
    await act(async () => {
      release()
      await store.ready
    })
    expect(screen.getByTestId('count').textContent).toBe('2 cards')
    expect(screen.queryByTestId('fallback')).toBeNull()
    // Never rendered the empty initial state.
    expect(renders.every((n) => n === 2)).toBe(true)
  })

  it('without the opt-in, renders the initial state, then the loaded one', async () => {
    const { store, release } = await coldStart()
    renderWith(
      Mode,
      store,
      <>
        <Count />
        <Ready />
      </>,
    )
    expect(screen.getByTestId('count').textContent).toBe('0 cards')
    expect(screen.getByTestId('ready').textContent).toBe('loading')
    await act(async () => {
      release()
      await store.ready
    })
    expect(screen.getByTestId('count').textContent).toBe('2 cards')
    expect(screen.getByTestId('ready').textContent).toBe('ready')
  })

  it.each([true, false])('sends a failed cold start to the error boundary (suspense: %s)', async (suspense) => {
    const broken: StorageBackend = {
      kind: 'memory',
      open: () => Promise.reject(new Error('disk on fire')),
    }
    const store = openStore(broken)
    const caught: unknown[] = []
    renderWith(
      Mode,
      store,
      <Boundary>
        <Suspense fallback={<p data-testid="fallback">loading</p>}>
          <Count />
        </Suspense>
      </Boundary>,
      { suspense, ...catchErrors(caught) },
    )
    await act(() => store.ready.catch(() => undefined))
    expect(screen.getByRole('alert').textContent).toBe('Error: disk on fire')
    expect(caught).toEqual([expect.objectContaining({ message: 'disk on fire' })])
  })
})
