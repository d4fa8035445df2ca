// Importing repro bundles in the panel, in real Chromium: a 100,000-event bundle (about 30 MB) is
// checked and imported in slices, with progress and a Cancel button, while the page keeps
// running; bundles that cannot be replayed faithfully (`__proto__` keys, payloads of the wrong
// types, a stream version twice) are refused with a message in the panel.
import { createRoot } from 'react-dom/client'
import { afterEach, describe, expect, it } from 'vitest'
import { page } from 'vitest/browser'
import type { EventEnvelope, Store } from '@chronicle/core'
import { bundleFormat, ChronicleDevtools, type ReproBundle } from '../index'
import { openStore } from './fixtures'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function mount(store: Store) {
  const container = document.body.appendChild(document.createElement('div'))
  const root = createRoot(container)
  root.render(<ChronicleDevtools store={store} initialIsOpen />)
  cleanups.push(() => {
    root.unmount()
    container.remove()
  })
}

/** `count` CardAdded events over 50 boards, with titles long enough for about 300 bytes each. */
function events(count: number): EventEnvelope[] {
  const versions = new Map<string, number>()
  const at = Date.UTC(2026, 0, 1)
  return Array.from({ length: count }, (_, i) => {
    const stream = `board-b${i % 50}`
    const version = (versions.get(stream) ?? 0) + 1
    versions.set(stream, version)
    const commandId = `command-${i}`
    return {
      id: `event-${i}`,
      seq: i + 1,
      stream,
      version,
      type: 'CardAdded',
      schemaVersion: 1,
      payload: { cardId: `c${i}`, column: 'todo', title: `Card number ${i} of the imported repro bundle` },
      meta: { commandId, causationId: commandId, correlationId: commandId, at: at + i * 1000, origin: 'the-author-s-tab' },
    }
  })
}

function bundleOf(list: readonly unknown[]): ReproBundle {
  return { format: bundleFormat, formatVersion: 1, store: 'kanban', exportedAt: '2026-12-01T00:00:00.000Z', projections: [], range: { after: 0, to: list.length }, events: list as EventEnvelope[] }
}

/** Chooses `text` as the file of the panel's Import input, as a person would. */
async function choose(content: string | File) {
  await expect.poll(() => document.querySelector('input[type=file]'), { timeout: 30_000 }).not.toBeNull()
  const input = document.querySelector<HTMLInputElement>('input[type=file]')!
  const transfer = new DataTransfer()
  transfer.items.add(typeof content === 'string' ? new File([content], 'repro.json', { type: 'application/json' }) : content)
  input.files = transfer.files
  input.dispatchEvent(new Event('change', { bubbles: true }))
}

/** Records the longest time the page went without running a 10 ms timer (how long it was frozen). */
function watchStalls() {
  let last = performance.now()
  let longest = 0
  const timer = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
  }, 10)
  return {
    stop() {
      clearInterval(timer)
      return longest
    },
  }
}

const progress = () => page.getByRole('status', { name: 'Bundle import' })
const alertText = () => document.querySelector('[role=alert]')?.textContent ?? ''

describe('importing repro bundles in the panel (Chromium)', () => {
  it('imports 100,000 events (30 MB) in slices with progress, and can be cancelled', async () => {
    const store = openStore()
    cleanups.push(() => store.close())
    mount(store)
    const text = JSON.stringify(bundleOf(events(100_000)))
    expect(text.length).toBeGreaterThan(30_000_000)
    // Made once, outside the watched stretch: encoding 30 MB into a File is the test's work.
    const file = new File([text], 'repro.json', { type: 'application/json' })

    // Cancelled while it runs: no replay, no error.
    await choose(text)
    await expect.element(progress()).toHaveTextContent(/of 100,000 events/)
    await page.getByRole('button', { name: 'Cancel import' }).click()
    await expect.element(progress()).not.toBeInTheDocument()
    expect(document.body.textContent).not.toContain('Replaying bundle')
    expect(alertText()).toBe('')

    // Run to the end: the progress moves through the phases while timers keep firing.
    await expect.poll(() => document.querySelector('input[type=file]'), { timeout: 30_000 }).not.toBeNull()
    const stalls = watchStalls()
    const seen = new Set<string>()
    const observer = new MutationObserver(() => {
      const shown = document.querySelector('[role=status][aria-label="Bundle import"]')?.textContent ?? ''
      const phase = /^(Checking|Importing|Replaying) ([\d,]+) of/.exec(shown)
      if (phase) seen.add(`${phase[1]} ${phase[2]}`)
    })
    observer.observe(document.body, { subtree: true, childList: true, characterData: true })
    await choose(file)
    await expect.element(page.getByRole('status', { name: 'Repro bundle replay' }), { timeout: 120_000 }).toHaveTextContent('100000 events')
    observer.disconnect()
    const longest = stalls.stop()
    const phases = new Set([...seen].map((s) => s.split(' ')[0]))
    expect([...phases].sort()).toEqual(['Checking', 'Importing', 'Replaying'])
    // Many intermediate counts were painted: the work yielded to the page between slices.
    expect([...seen].filter((s) => s.startsWith('Checking')).length).toBeGreaterThan(10)
    expect([...seen].filter((s) => s.startsWith('Importing')).length).toBeGreaterThan(10)
    expect(alertText()).toBe('')
    // For docs/benchmarks.md: the longest stretch without a timer (JSON.parse and the replay are single steps).
    console.info(`[bundle import] 100,000 events, ${(text.length / 1e6).toFixed(1)} MB: longest stall ${Math.round(longest)} ms`)
  }, 180_000)

  it('refuses bundles with __proto__ keys, payloads of the wrong types or a stream version twice, saying which event', async () => {
    const store = openStore()
    cleanups.push(() => store.close())
    mount(store)
    const good = events(5)
    const cases: [string, unknown[], RegExp][] = [
      ['__proto__', [...good.slice(0, 4), JSON.parse(JSON.stringify(good[4]).replace('"payload":{', '"payload":{"__proto__":{"polluted":true},'))], /event 4 has a "__proto__" key \(events\.4\.payload\.__proto__\)/],
      ['wrong types', [...good.slice(0, 2), { ...good[2]!, payload: { cardId: 7, column: ['todo'], title: null } }], /event 2 \(CardAdded, seq 3\) has a payload its schema refuses \(cardId: .*/],
      ['version twice', [...good.slice(0, 3), { ...good[3]!, stream: good[1]!.stream, version: good[1]!.version }], /event 3 \(seq 4\) of stream "board-b1" repeats version 1/],
      ['at out of range', [{ ...good[0]!, meta: { ...good[0]!.meta, at: 1e308 } }], /event 0 is not a valid event envelope \(events\.0\.meta\.at: expected a time/],
    ]
    for (const [what, list, message] of cases) {
      await choose(JSON.stringify(bundleOf(list)))
      await expect.poll(alertText, { message: what }).toMatch(message)
      expect(alertText()).toContain('ValidationError (invalid-bundle)')
      expect(document.body.textContent).not.toContain('Replaying bundle')
      await page.getByRole('button', { name: 'Dismiss' }).click()
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    // The good events alone import.
    await choose(JSON.stringify(bundleOf(good)))
    await expect.element(page.getByRole('status', { name: 'Repro bundle replay' })).toHaveTextContent('5 events')
  })
})
