import { memo, Profiler, useState, type ReactNode } from 'react'
import { describe, expect, it } from 'vitest'
import { act, render, screen } from '@testing-library/react'
import type { Store } from '@chronicle/core'
import { ChronicleProvider, shallow, useProjection, useStore } from '../index'
import { addCard, boardView, moveCard, titles } from '../../../core/src/__tests__/fixtures'
import { countingSubscriptions } from '../../../core/src/__tests__/observedStore'
import { guardConsole, modes, openStore, renderWith } from './harness'

const none: readonly string[] = []

/** Counts the commits in which `children` rendered, StrictMode's double renders counted once. */
function counter() {
  const commits: Record<string, number> = {}
  const Counted = ({ id, children }: { id: string; children: ReactNode }) => (
    <Profiler id={id} onRender={() => (commits[id] = (commits[id] ?? 0) + 1)}>
      {children}
    </Profiler>
  )
  return { commits, Counted }
}

function Column({ name }: { name: string }) {
  const ids = useProjection(boardView, (s) => s.columns[name] ?? none)
  return <p data-testid={name}>{ids.join(',')}</p>
}

const add = (store: Store, cardId: string, title = cardId) => act(() => store.dispatch(addCard({ boardId: 'b', cardId, title })))
const move = (store: Store, cardId: string, to: string) => act(() => store.dispatch(moveCard({ boardId: 'b', cardId, to })))

describe.each(modes)('useProjection ($mode)', ({ Mode }) => {
  guardConsole()

  it('renders the current state and every committed change', async () => {
    const store = openStore()
    await store.ready
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'Write docs' }))
    function Board() {
      const view = useProjection(boardView)
      return <p data-testid="count">{`${view.count} cards, todo: ${(view.columns.todo ?? none).join(',')}`}</p>
    }
    renderWith(Mode, store, <Board />)
    expect(screen.getByTestId('count').textContent).toBe('1 cards, todo: c1')
    await add(store, 'c2')
    expect(screen.getByTestId('count').textContent).toBe('2 cards, todo: c1,c2')
  })

  it('re-renders a component only when its selected slice changes', async () => {
    const store = openStore()
    await store.ready
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'done' }))
    const { commits, Counted } = counter()
    function Titles() {
      const count = useProjection(titles, (s) => Object.keys(s).length)
      return <p data-testid="titles">{count}</p>
    }
    renderWith(
      Mode,
      store,
      <>
        <Counted id="todo">
          <Column name="todo" />
        </Counted>
        <Counted id="done">
          <Column name="done" />
        </Counted>
        <Counted id="titles">
          <Titles />
        </Counted>
      </>,
    )
    expect(commits).toEqual({ todo: 1, done: 1, titles: 1 })

    await add(store, 'c2')
    expect(screen.getByTestId('todo').textContent).toBe('c2')
    expect(screen.getByTestId('titles').textContent).toBe('2')
    // boardView and titles both changed, but the done column kept its identity.
    expect(commits).toEqual({ todo: 2, done: 1, titles: 2 })

    await move(store, 'c2', 'doing')
    // Only boardView changed; the titles count is the same number.
    expect(commits).toEqual({ todo: 3, done: 1, titles: 2 })
    expect(screen.getByTestId('todo').textContent).toBe('')
  })

  it('compares slices with a custom equal, e.g. the exported shallow', async () => {
    const store = openStore()
    await store.ready
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    const { commits, Counted } = counter()
    function ColumnNames() {
      const names = useProjection(boardView, (s) => Object.keys(s.columns).sort(), shallow)
      return <p data-testid="names">{names.join(',')}</p>
    }
    renderWith(
      Mode,
      store,
      <Counted id="names">
        <ColumnNames />
      </Counted>,
    )
    await add(store, 'c2')
    expect(commits).toEqual({ names: 1 })
    await move(store, 'c2', 'done')
    expect(commits).toEqual({ names: 2 })
    expect(screen.getByTestId('names').textContent).toBe('done,todo')
  })

  it('does not re-render consumers when the provider re-renders with the same store', async () => {
    const store = openStore()
    await store.ready
    const { commits, Counted } = counter()
    const Todo = memo(function Todo() {
      return (
        <Counted id="todo">
          <Column name="todo" />
        </Counted>
      )
    })
    let bump!: () => void
    function App() {
      const [n, setN] = useState(0)
      bump = () => setN((x) => x + 1)
      return (
        <Mode>
          <ChronicleProvider store={store}>
            <p data-testid="n">{n}</p>
            <Todo />
          </ChronicleProvider>
        </Mode>
      )
    }
    render(<App />)
    act(() => bump())
    expect(screen.getByTestId('n').textContent).toBe('1')
    expect(commits).toEqual({ todo: 1 })
  })

  it('subscribes once per mounted component (and once per read model for the transition gate) and unsubscribes on unmount', async () => {
    const inner = openStore()
    await inner.ready
    const { store, counts } = countingSubscriptions(inner)
    const view = renderWith(
      Mode,
      store,
      <>
        <Column name="todo" />
        <Column name="done" />
      </>,
    )
    // Two components, and the gate that both share (it hears a change first, see TransitionGate).
    expect(counts.active).toBe(3)
    await add(store, 'c1')
    expect(screen.getByTestId('todo').textContent).toBe('c1')
    view.unmount()
    expect(counts.active).toBe(0)
  })

  it('follows the provider to another store', async () => {
    const first = openStore()
    const second = openStore()
    await Promise.all([first.ready, second.ready])
    await second.dispatch(addCard({ boardId: 'b', cardId: 'other', title: 'other' }))
    function Shown() {
      return <p data-testid="store">{useStore() === second ? 'second' : 'first'}</p>
    }
    const view = renderWith(Mode, first, <><Column name="todo" /><Shown /></>)
    expect(screen.getByTestId('todo').textContent).toBe('')
    view.rerender(
      <ChronicleProvider store={second}>
        <Column name="todo" />
        <Shown />
      </ChronicleProvider>,
    )
    expect(screen.getByTestId('todo').textContent).toBe('other')
    expect(screen.getByTestId('store').textContent).toBe('second')
  })
})
