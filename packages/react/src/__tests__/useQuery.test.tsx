import { Profiler } from 'react'
import { describe, expect, it } from 'vitest'
import { act, screen } from '@testing-library/react'
import { defineQuery } from '@chronicle/core'
import { useQuery } from '../index'
import { addCard, boardView, moveCard } from '../../../core/src/__tests__/fixtures'
import { guardConsole, modes, openStore, renderWith } from './harness'

const none: readonly string[] = []
const cardsIn = defineQuery({ projection: boardView, select: (s, column: string) => s.columns[column] ?? none })
const cardsWhere = defineQuery({
  projection: boardView,
  select: (s, where: { column: string; first: number }) => (s.columns[where.column] ?? none).slice(0, where.first),
})

describe.each(modes)('useQuery ($mode)', ({ Mode }) => {
  guardConsole()

  it('selects with its params and re-selects when they change', async () => {
    const store = openStore()
    await store.ready
    for (const id of ['c1', 'c2', 'c3']) await store.dispatch(addCard({ boardId: 'b', cardId: id, title: id }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c2', to: 'done' }))
    function Column({ name }: { name: string }) {
      return <p data-testid="ids">{useQuery(cardsIn, name).join(',')}</p>
    }
    const view = renderWith(Mode, store, <Column name="todo" />)
    expect(screen.getByTestId('ids').textContent).toBe('c1,c3')
    view.rerender(<Column name="done" />)
    expect(screen.getByTestId('ids').textContent).toBe('c2')
    view.rerender(<Column name="doing" />)
    expect(screen.getByTestId('ids').textContent).toBe('')
    await act(() => store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' })))
    expect(screen.getByTestId('ids').textContent).toBe('c1')
  })

  it('takes object params, re-selecting on a new value and re-rendering only on a new result', async () => {
    const store = openStore()
    await store.ready
    for (const id of ['c1', 'c2']) await store.dispatch(addCard({ boardId: 'b', cardId: id, title: id }))
    let commits = 0
    const sameItems = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i])
    function FirstOf({ column, first }: { column: string; first: number }) {
      // A fresh params object and a fresh slice on every render: `equal` keeps the result stable.
      return <p data-testid="ids">{useQuery(cardsWhere, { column, first }, sameItems).join(',')}</p>
    }
    const ui = (first: number) => (
      <Profiler id="q" onRender={() => commits++}>
        <FirstOf column="todo" first={first} />
      </Profiler>
    )
    const view = renderWith(Mode, store, ui(1))
    expect(screen.getByTestId('ids').textContent).toBe('c1')
    view.rerender(ui(2))
    expect(screen.getByTestId('ids').textContent).toBe('c1,c2')
    expect(commits).toBe(2)
    // A third card lands beyond the first two: same result, no re-render.
    await act(() => store.dispatch(addCard({ boardId: 'b', cardId: 'c3', title: 'c3' })))
    expect(commits).toBe(2)
    await act(() => store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'done' })))
    expect(screen.getByTestId('ids').textContent).toBe('c2,c3')
    expect(commits).toBe(3)
  })

  it('does not re-render when another column changes', async () => {
    const store = openStore()
    await store.ready
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'c1' }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'done' }))
    let commits = 0
    function Done() {
      return <p data-testid="ids">{useQuery(cardsIn, 'done').join(',')}</p>
    }
    renderWith(
      Mode,
      store,
      <Profiler id="done" onRender={() => commits++}>
        <Done />
      </Profiler>,
    )
    await act(() => store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'c2' })))
    await act(() => store.dispatch(moveCard({ boardId: 'b', cardId: 'c2', to: 'doing' })))
    expect(commits).toBe(1)
    await act(() => store.dispatch(moveCard({ boardId: 'b', cardId: 'c2', to: 'done' })))
    expect(screen.getByTestId('ids').textContent).toBe('c1,c2')
    expect(commits).toBe(2)
  })
})
