import { StrictMode, Suspense } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { page } from 'vitest/browser'
import { createStore, indexedDbStorage, type Store } from '@chronicle/core'
import { ChronicleProvider, useCommand, useProjection } from '../index'
import { addCard, boardView, commands } from '../../../core/src/__tests__/fixtures'

const cleanups: (() => Promise<void> | void)[] = []
let consoleCalls: unknown[][] = []
beforeEach(() => {
  consoleCalls = []
  for (const level of ['error', 'warn'] as const) {
    const spy = vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void consoleCalls.push([level, ...args]))
    cleanups.push(() => spy.mockRestore())
  }
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  // React's warnings (keys, updates after unmount, act) and our own must stay silent.
  expect(consoleCalls).toEqual([])
})

const open = (name: string): Store => {
  const store = createStore({ name, commands, projections: [boardView], storage: indexedDbStorage() })
  cleanups.push(() => store.close())
  return store
}

/** Renders with react-dom/client into a fresh element of document.body. */
function mount(ui: React.ReactNode): Root {
  const container = document.body.appendChild(document.createElement('div'))
  const root = createRoot(container)
  root.render(<StrictMode>{ui}</StrictMode>)
  cleanups.push(() => {
    root.unmount()
    container.remove()
  })
  return root
}

/** What the board rendered, in order (StrictMode renders twice). */
const shown: number[] = []
function Board() {
  const count = useProjection(boardView, (s) => s.count)
  const todo = useProjection(boardView, (s) => s.columns.todo)
  const add = useCommand(addCard)
  shown.push(count)
  return (
    <section>
      <p data-testid="count">{`${count} cards`}</p>
      <p data-testid="todo">{(todo ?? []).join(',')}</p>
      <button disabled={add.status === 'pending'} onClick={() => void add.dispatch({ boardId: 'b', cardId: `c${count + 1}`, title: `card ${count + 1}` })}>
        Add card
      </button>
      <p data-testid="status">{add.status}</p>
    </section>
  )
}

describe('a component over an IndexedDB store (real Chromium)', () => {
  it('shows the value a click dispatched, and the same after a reload', async () => {
    const name = `react-${Date.now()}-${Math.random().toString(36).slice(2)}`
    const store = open(name)
    const root = mount(
      <ChronicleProvider store={store}>
        <Board />
      </ChronicleProvider>,
    )
    await expect.element(page.getByTestId('count')).toHaveTextContent('0 cards')
    await page.getByRole('button', { name: 'Add card' }).click()
    await expect.element(page.getByTestId('count')).toHaveTextContent('1 cards')
    await expect.element(page.getByTestId('status')).toHaveTextContent('ok')
    await page.getByRole('button', { name: 'Add card' }).click()
    await expect.element(page.getByTestId('count')).toHaveTextContent('2 cards')
    await expect.element(page.getByTestId('todo')).toHaveTextContent('c1,c2')

    // Reload-equivalent: tear everything down, then a new store on the same database.
    root.unmount()
    await store.close()
    shown.length = 0
    const reopened = open(name)
    mount(
      <ChronicleProvider store={reopened} suspense>
        <Suspense fallback={<p data-testid="loading">loading</p>}>
          <Board />
        </Suspense>
      </ChronicleProvider>,
    )
    await expect.element(page.getByTestId('count')).toHaveTextContent('2 cards')
    await expect.element(page.getByTestId('todo')).toHaveTextContent('c1,c2')
    // Suspense held the board back until the log was read: it never showed the empty state.
    expect(shown.length).toBeGreaterThan(0)
    expect(shown.every((n) => n === 2)).toBe(true)

    await page.getByRole('button', { name: 'Add card' }).click()
    await expect.element(page.getByTestId('count')).toHaveTextContent('3 cards')
    expect(reopened.read(boardView).columns.todo).toEqual(['c1', 'c2', 'c3'])
  })
})
