import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { indexedDbStorage, type Store } from '@chronicle/core'
import { type AppendCommand } from '@chronicle/core/storage'
import { ChronicleDevtools } from '../index'
import { addCard, archived, boardView, moveCard, openStore } from './fixtures'

// Not the React tests' guardConsole(): it would bring @testing-library/react into the browser
// project's dependencies, and the first run after adding it here timed out (most likely Vite
// optimising a newly found dependency mid-run, as the React browser test once saw).
const cleanups: (() => Promise<void> | void)[] = []
const consoleCalls: unknown[][] = []
beforeEach(() => {
  consoleCalls.length = 0
  for (const level of ['error', 'warn'] as const) {
    const spy = vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void consoleCalls.push([level, ...args]))
    cleanups.push(() => spy.mockRestore())
  }
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  // React's warnings (act, updates after unmount, keys) and the panel's own must stay silent.
  expect(consoleCalls).toEqual([])
})

const seeded = 100_000

/** Writes `count` CardAdded events straight into the IndexedDB log, 10,000 per transaction. */
async function seed(name: string, count: number) {
  const log = await indexedDbStorage().open(name)
  const versions = new Map<string, number>()
  const at = Date.UTC(2026, 0, 1)
  for (let from = 0; from < count; from += 10_000) {
    const batch: AppendCommand[] = []
    for (let i = from; i < Math.min(count, from + 10_000); i++) {
      const stream = `board-b${i % 50}`
      const version = (versions.get(stream) ?? 0) + 1
      versions.set(stream, version)
      const commandId = `seed-${i}`
      batch.push({
        commandId,
        stream,
        expectedVersion: version - 1,
        idempotent: false,
        events: [
          {
            id: `event-${i}`,
            stream,
            version,
            type: 'CardAdded',
            schemaVersion: 1,
            payload: { cardId: `c${i}`, column: 'todo', title: `card ${i}` },
            meta: { commandId, causationId: commandId, correlationId: commandId, at: at + i * 1000, origin: 'another-tab' },
          },
        ],
      })
    }
    await log.append(batch)
  }
  log.close()
}

function mount(store: Store) {
  const container = document.body.appendChild(document.createElement('div'))
  const root = createRoot(container)
  root.render(
    <StrictMode>
      <main style={{ padding: 24, fontFamily: 'system-ui' }}>
        <h1>Kanban</h1>
        <p>An app with 100,000 events in its log.</p>
      </main>
      <ChronicleDevtools store={store} />
    </StrictMode>,
  )
  cleanups.push(() => {
    root.unmount()
    container.remove()
  })
}

const rowElements = () => document.querySelectorAll<HTMLElement>('[role=option][data-seq]')
const row = (seq: number) => document.querySelector<HTMLElement>(`[role=option][data-seq="${seq}"]`)
const viewport = () => document.querySelector<HTMLElement>('[role=listbox][aria-label="Events"]')!

describe('the devtools panel in Chromium over an IndexedDB store of 100,000 events', () => {
  it('opens, selects, shows read models, travels, undoes, and renders only a window of rows', async () => {
    await page.viewport(1280, 800)
    const name = `devtools-${Date.now()}-${Math.random().toString(36).slice(2)}`
    await seed(name, seeded)
    const store = openStore(indexedDbStorage(), name)
    cleanups.push(() => store.close())
    await store.ready
    // This tab's own commands: two adds, and a move to done that a reaction follows with an archive.
    await store.dispatch(addCard({ boardId: 'b1', cardId: 'mine-1', title: 'Write the devtools docs' }))
    await store.dispatch(addCard({ boardId: 'b1', cardId: 'mine-2', title: '<img src=x onerror="window.__pwned = true">' }))
    await store.dispatch(moveCard({ boardId: 'b1', cardId: 'mine-1', to: 'done' }))
    await expect.poll(async () => (await store.log({ after: seeded + 3 })).map((e) => e.type)).toEqual(['CardArchived'])
    await store.settled()
    const head = seeded + 4
    expect(store.position).toBe(head)

    mount(store)
    await page.getByRole('button', { name: 'Open Chronicle devtools' }).click()
    await expect.element(page.getByText(`${name} · ${head} events`)).toBeVisible()
    // The timeline follows the newest events, and only a window of rows is in the DOM.
    await expect.poll(() => row(head) !== null).toBe(true)
    expect(rowElements().length).toBeLessThan(60)
    expect(row(head)!.textContent).toContain('CardArchived')
    await expect.poll(() => row(head - 1)!.textContent).toContain('this tab')

    // Scroll to the middle of the log: the rows there are read from the log as they appear.
    viewport().scrollTop = 50_000 * 22
    await expect.poll(() => row(50_001)?.textContent ?? '').toContain('board-b0')
    await expect.poll(() => row(50_001)!.textContent).toMatch(/anot…-tab.*confirmed/)
    expect(rowElements().length).toBeLessThan(60)

    // Select an event: the inspector shows it, the read models show the state after it.
    await userEvent.click(row(50_001)!)
    await expect.element(page.getByLabelText('Event 50001')).toHaveTextContent('c50000')
    await page.getByRole('tab', { name: 'Read models' }).click()
    const board = page.getByRole('region', { name: 'Read model boardView' })
    await expect.element(board).toHaveTextContent('columns.todo[50000] + "c50000"')
    await expect.element(board).toHaveTextContent('count 50000 → 50001')
    await expect.element(board.getByRole('tree', { name: 'state' })).toHaveTextContent('count: 50001')
    expect(store.travelling).toBeNull()

    // docs/devtools.png: `VITE_DEVTOOLS_SCREENSHOT=1 pnpm test:browser packages/devtools` (with the drawer made taller).
    if (import.meta.env.VITE_DEVTOOLS_SCREENSHOT) {
      const handle = page.getByRole('separator', { name: 'Resize Chronicle devtools' }).element() as HTMLElement
      handle.focus()
      for (let i = 0; i < 6; i++) await userEvent.keyboard('{ArrowUp}')
      handle.blur()
      await page.screenshot({ path: '../../../../docs/devtools.png' })
    }

    // Filters run over the index: one CardMoved among 100,004 events.
    await userEvent.selectOptions(page.getByRole('combobox', { name: 'Filter by type' }), 'CardMoved')
    await expect.poll(() => [...rowElements()].map((r) => Number(r.dataset.seq))).toEqual([head - 1])
    await userEvent.selectOptions(page.getByRole('combobox', { name: 'Filter by type' }), '')
    await userEvent.fill(page.getByRole('searchbox', { name: 'Filter by stream' }), 'archive')
    await expect.poll(() => [...rowElements()].map((r) => Number(r.dataset.seq))).toEqual([head])
    await userEvent.clear(page.getByRole('searchbox', { name: 'Filter by stream' }))
    await expect.poll(() => rowElements().length).toBeGreaterThan(10)

    // Time travel: the step buttons and the slider move what the app's store shows.
    await page.getByRole('button', { name: 'Step back' }).click()
    await expect.poll(() => store.travelling).toBe(head - 1)
    expect(store.read(archived).ids).toEqual([])
    await page.getByRole('button', { name: 'Step back' }).click()
    await expect.poll(() => store.travelling).toBe(head - 2)
    expect(store.read(boardView).columns.done).toBeUndefined()
    await userEvent.click(page.getByRole('slider', { name: 'Log position' }))
    await userEvent.keyboard('{Home}')
    await expect.poll(() => store.travelling).toBe(0)
    expect(store.read(boardView).count).toBe(0)
    await userEvent.keyboard('{ArrowRight}')
    await expect.poll(() => store.travelling).toBe(1)
    expect(store.read(boardView).count).toBe(1)
    await page.getByRole('button', { name: 'Step forward' }).click()
    await expect.poll(() => store.travelling).toBe(2)
    await expect.element(page.getByRole('status', { name: 'Shown position' })).toHaveTextContent(`2 / ${head}`)
    await page.getByRole('button', { name: 'Live' }).click()
    await expect.poll(() => store.travelling).toBeNull()
    expect(store.read(boardView).columns.done).toEqual(['mine-1'])

    // Undo from the panel takes back this tab's latest command (the move), and the panel shows it.
    viewport().scrollTop = viewport().scrollHeight
    await page.getByRole('button', { name: 'Undo' }).click()
    await expect.poll(() => row(head + 1)?.textContent ?? '').toContain('Undone')
    await expect.poll(() => row(head - 1)?.textContent ?? '').toContain('undone')
    expect(store.read(boardView).columns.done).toBeUndefined()
    expect(store.read(boardView).columns.todo?.slice(-2)).toEqual(['mine-1', 'mine-2'])
    expect(rowElements().length).toBeLessThan(60)

    // A payload with markup in it is shown as text, never as markup.
    await userEvent.click(row(head - 2)!)
    await page.getByRole('tab', { name: 'Event' }).click()
    await expect.element(page.getByLabelText(`Event ${head - 2}`)).toHaveTextContent('"<img src=x onerror=\\"window.__pwned = true\\">"')
    expect(document.querySelector('img')).toBeNull()
    expect((window as { __pwned?: boolean }).__pwned).toBeUndefined()
  }, 180_000)
})
