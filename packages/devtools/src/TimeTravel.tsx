import { useRef, useState } from 'react'
import type { Store } from '@chronicle/core'
import { useStoreValue } from './hooks'

/**
 * Runs `store.travel` one call at a time, and only the latest request: dragging the slider over
 * a thousand positions travels a handful of times, never a thousand.
 */
function useTraveller(store: Store, onError: (error: unknown) => void) {
  const state = useRef<{ running: boolean; next: number | null | undefined }>({ running: false, next: undefined })
  return (target: number | null) => {
    state.current.next = target
    if (state.current.running) return
    state.current.running = true
    void (async () => {
      while (state.current.next !== undefined) {
        const position = state.current.next
        state.current.next = undefined
        try {
          await store.travel(position)
        } catch (error) {
          onError(error)
        }
      }
      state.current.running = false
    })()
  }
}

export interface TimeTravelProps {
  readonly store: Store
  /** Called with the position travelled to by a step or the slider (the panel selects that event). */
  readonly onStep: (position: number) => void
  readonly onError: (error: unknown) => void
}

/** A slider over the log's positions, step buttons and a way back to live. */
export function TimeTravel({ store, onStep, onError }: TimeTravelProps) {
  const head = useStoreValue(store.position$, () => store.position)
  const travelling = useStoreValue(store.travelling$, () => store.travelling)
  const [requested, setRequested] = useState<number | null>(null)
  const travel = useTraveller(store, (error) => {
    setRequested(null)
    onError(error)
  })
  // While a travel is under way the slider shows where it was asked to go.
  const position = requested !== null && requested !== travelling ? requested : (travelling ?? head)
  // Positions before a compaction horizon are gone from the log: the slider starts there.
  const first = store.horizon
  const go = (target: number) => {
    const clamped = Math.min(head, Math.max(first, target))
    setRequested(clamped)
    travel(clamped)
    onStep(clamped)
  }
  return (
    <div className="chr-dt-travel" role="group" aria-label="Time travel">
      <button type="button" aria-label="Step back" title="Step back one event" disabled={position <= first} onClick={() => go(position - 1)}>
        ◀
      </button>
      <input
        type="range"
        aria-label="Log position"
        min={first}
        max={head}
        step={1}
        value={position}
        onChange={(event) => go(Number(event.currentTarget.value))}
      />
      <button type="button" aria-label="Step forward" title="Step forward one event" disabled={position >= head} onClick={() => go(position + 1)}>
        ▶
      </button>
      <button
        type="button"
        disabled={travelling === null && requested === null}
        onClick={() => {
          setRequested(null)
          travel(null)
        }}
      >
        Live
      </button>
      <output className="chr-dt-position" aria-label="Shown position">
        {travelling === null ? `live · ${head}` : `${travelling} / ${head}`}
      </output>
    </div>
  )
}
