import { useLayoutEffect } from 'react'
import { describe, expect, it } from 'vitest'
import { act, render, screen } from '@testing-library/react'
import { defineQuery, isChronicleError, type Store } from '@chronicle/core'
import { useCommand, useIsReady, useProjection, useQuery, useStore } from '../index'
import { addCard, boardView } from '../../../core/src/__tests__/fixtures'
import { Boundary, catchErrors, fragile, guardConsole, modes, openStore, renderWith, type Mode } from './harness'

/** What `Titles` committed to the screen, in order. */
const committed: string[] = []
function Titles() {
  const shown = useProjection(fragile, (s) => s.titles).join(',')
  useLayoutEffect(() => void committed.push(shown))
  return <p data-testid="titles">{shown}</p>
}

/** Renders `Titles` inside an error boundary; returns the errors the boundary caught. */
function showTitles(Mode: Mode, store: Store) {
  const caught: unknown[] = []
  renderWith(
    Mode,
    store,
    <Boundary>
      <Titles />
    </Boundary>,
    catchErrors(caught),
  )
  return caught
}

describe.each(modes)('errors ($mode)', ({ Mode }) => {
  guardConsole()

  it('sends a projection that fails while shown to the error boundary', async () => {
    const store = openStore()
    await store.ready
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'fine' }))
    const caught = showTitles(Mode, store)
    expect(screen.getByTestId('titles').textContent).toBe('fine')
    await act(() => store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'boom' })))
    expect(screen.getByRole('alert').textContent).toMatch(/^ProjectionError: Projection fragile failed on event 2 \(CardAdded\): cannot show boom/)
    expect(caught).toHaveLength(1)
    expect(isChronicleError(caught[0], 'ProjectionError')).toBe(true)
  })

  it('sends a projection that failed before the component mounted to the error boundary, without rendering its stale state', async () => {
    const store = openStore()
    await store.ready
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'fine' }))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'boom' }))
    committed.length = 0
    const caught = showTitles(Mode, store)
    expect(screen.queryByTestId('titles')).toBeNull()
    expect(committed).toEqual([])
    expect(screen.getByRole('alert').textContent).toMatch(/^ProjectionError: Projection fragile failed on event 2/)
    expect(isChronicleError(caught[0], 'ProjectionError')).toBe(true)
  })

  it('keeps other read models working when one fails', async () => {
    const store = openStore()
    await store.ready
    function Count() {
      return <p data-testid="count">{useProjection(boardView, (s) => s.count)}</p>
    }
    renderWith(
      Mode,
      store,
      <>
        <Boundary>
          <Titles />
        </Boundary>
        <Count />
      </>,
      catchErrors([]),
    )
    await act(() => store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'boom' })))
    await act(() => store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'fine' })))
    expect(screen.getByRole('alert')).toBeTruthy()
    expect(screen.getByTestId('count').textContent).toBe('2')
  })

  it('names the hook and the fix when there is no provider', () => {
    const query = defineQuery({ projection: boardView, select: (s, column: string) => s.columns[column] })
    const hooks = {
      useProjection: () => useProjection(boardView),
      useQuery: () => useQuery(query, 'todo'),
      useCommand: () => useCommand(addCard),
      useStore: () => useStore(),
      useIsReady: () => useIsReady(),
    }
    for (const [name, hook] of Object.entries(hooks)) {
      const caught: unknown[] = []
      function Orphan() {
        hook()
        return null
      }
      render(
        <Mode>
          <Boundary>
            <Orphan />
          </Boundary>
        </Mode>,
        catchErrors(caught),
      )
      expect(caught).toHaveLength(1)
      expect(caught[0]).toBeInstanceOf(Error)
      expect((caught[0] as Error).message).toBe(
        `${name}() was called outside a <ChronicleProvider>. Render the component inside <ChronicleProvider store={store}>, where store comes from createStore().`,
      )
    }
  })
})
