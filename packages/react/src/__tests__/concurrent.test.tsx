import * as React from 'react'
import { startTransition, useLayoutEffect } from 'react'
import { createRoot } from 'react-dom/client'
import { describe, expect, it, vi } from 'vitest'
import type { Receipt, Store } from '@chronicle/core'
import { ChronicleProvider, useProjection } from '../index'
import { addCard, boardView } from '../../../core/src/__tests__/fixtures'
import { guardConsole, modes, openStore, realScheduling } from './harness'

realScheduling()

/** Drops the repeats of StrictMode's double render. */
const once = <T,>(items: readonly T[]) => items.filter((item, i) => i === 0 || JSON.stringify(item) !== JSON.stringify(items[i - 1]))

describe.each(modes)('concurrent rendering ($mode)', ({ Mode }) => {
  guardConsole()

  it('never commits two versions of a read model side by side when it changes mid-render', async () => {
    const store: Store = openStore()
    await store.ready
    /** The dispatch each round's first render starts: the store changes while React renders. */
    const changes = new Map<number, Promise<Receipt>>()
    const rendered: [string, number, number][] = []
    const screens: string[][] = []

    function Reader({ id, round }: { id: string; round: number }) {
      const count = useProjection(boardView, (s) => s.count)
      rendered.push([id, round, count])
      if (!changes.has(round)) changes.set(round, store.dispatch(addCard({ boardId: 'b', cardId: `c${round}`, title: `round ${round}` })))
      return <p data-reader={id}>{count}</p>
    }
    /**
     * Pauses the render between the readers until the store has changed. React 19 suspends on the
     * dispatch with `use` and resumes in place. React 18 has no `use` (a thrown promise restarts the
     * render from the top), so the pause outlasts React's time slice instead: React yields, and the
     * dispatch (microtasks alone on memory storage) completes before the next reader renders.
     */
    function Pause({ round }: { round: number }) {
      const use = (React as { use?: typeof React.use }).use
      if (use) use(changes.get(round)!)
      else for (const until = performance.now() + 20; performance.now() < until; );
      return null
    }
    /** Records what the readers show on every commit. */
    function Screen() {
      useProjection(boardView, (s) => s.count)
      useLayoutEffect(() => void screens.push([...container.querySelectorAll('[data-reader]')].map((e) => e.textContent ?? '')))
      return null
    }
    const app = (round: number) => (
      <Mode>
        <ChronicleProvider store={store}>
          <Reader id="a" round={round} />
          <Pause round={round} />
          <Reader id="b" round={round} />
          <Reader id="c" round={round} />
          <Screen />
        </ChronicleProvider>
      </Mode>
    )

    const container = document.body.appendChild(document.createElement('div'))
    const root = createRoot(container)
    try {
      // Round 1 mounts the readers in a transition; round 2 re-renders them in one, subscribed.
      for (const round of [1, 2]) {
        startTransition(() => root.render(app(round)))
        await vi.waitFor(() => expect(screens.at(-1)).toEqual([String(round), String(round), String(round)]))
      }
      // The store did change mid-render: the first reader rendered the old count, the next the new one.
      const firstOfRound = (round: number) => once(rendered.filter(([, r]) => r === round)).slice(0, 2)
      expect(firstOfRound(1)).toEqual([
        ['a', 1, 0],
        ['b', 1, 1],
      ])
      expect(firstOfRound(2)[0]).toEqual(['a', 2, 1])
      for (const shown of screens) expect(new Set(shown).size).toBe(1)
    } finally {
      root.unmount()
      container.remove()
    }
  })
})
