import { useCallback, useRef } from 'react'
import { useStore } from '@chronicle/react'
import { useNotices } from '../notices'
import { useObserved } from './useObserved'

/** What `useTravel` returns. */
export interface Travel {
  /** The log position the board shows, or null when it is live. */
  readonly travelling: number | null
  /** The live log position (the newest event). */
  readonly head: number
  /** The oldest position there is to look at (after a compaction, its horizon). */
  readonly start: number
  /** Shows the board as of `position`; null (or the live position) goes back to live. */
  go(position: number | null): void
}

/**
 * Time travel for the UI. A slider asks for many positions quickly: one `store.travel` runs at a
 * time, and when it finishes only the latest position asked for is travelled to next.
 */
export function useTravel(): Travel {
  const store = useStore()
  const notices = useNotices()
  const travelling = useObserved(store.travelling$, () => store.travelling)
  const head = useObserved(store.position$, () => store.position)
  const wanted = useRef<{ position: number | null } | undefined>(undefined)
  const running = useRef(false)

  const go = useCallback(
    (position: number | null) => {
      wanted.current = { position: position !== null && position >= store.position ? null : position }
      if (running.current) return
      running.current = true
      void (async () => {
        try {
          while (wanted.current) {
            const { position: next } = wanted.current
            wanted.current = undefined
            if (next !== store.travelling) await store.travel(next)
          }
        } catch (error) {
          notices.error(error)
        } finally {
          running.current = false
        }
      })()
    },
    [store, notices],
  )
  return { travelling, head, start: store.horizon, go }
}

/** True while the board shows a past position: it is read-only then (commands are refused). */
export function useIsTravelling(): boolean {
  const store = useStore()
  return useObserved(store.travelling$, () => store.travelling) !== null
}
