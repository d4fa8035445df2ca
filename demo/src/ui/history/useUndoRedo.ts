import { useCallback } from 'react'
import { isChronicleError } from '@chronicle/core'
import { useStore } from '@chronicle/react'
import { activity } from '../../domain'
import { activityText } from '../activity/ActivitySentence'
import { useNotices } from '../notices'
import { useObserved } from './useObserved'

/** What `useUndoRedo` returns. */
export interface UndoRedo {
  readonly canUndo: boolean
  readonly canRedo: boolean
  /** Undoes (or redoes) this tab's latest change; a refusal shows as a notice naming what blocks it. */
  run(kind: 'undo' | 'redo'): Promise<void>
}

/** Undo and redo of this tab's own changes, as the header's buttons and shortcuts use them. */
export function useUndoRedo(): UndoRedo {
  const store = useStore()
  const notices = useNotices()
  const canUndo = useObserved(store.history.canUndo$, () => store.history.canUndo)
  const canRedo = useObserved(store.history.canRedo$, () => store.history.canRedo)

  const run = useCallback(
    async (kind: 'undo' | 'redo') => {
      try {
        await (kind === 'undo' ? store.history.undo() : store.history.redo())
        notices.announce(kind === 'undo' ? 'Undone.' : 'Redone.')
      } catch (error) {
        const title = kind === 'undo' ? 'Cannot undo that' : 'Cannot redo that'
        if (isChronicleError(error, 'UndoConflict') && error.blockingCommandId !== undefined) {
          // Name the change in the way as the activity feed does, rather than by its command id.
          const blocking = store.read(activity).entries.findLast((entry) => entry.commandId === error.blockingCommandId)
          const later = blocking ? activityText(blocking) : 'someone else changed the board'
          notices.error(error, { title, message: `After your change: ${later}. Only a change that nothing on the board was built on since can be ${kind === 'undo' ? 'undone' : 'redone'}.` })
        } else notices.error(error, isChronicleError(error, 'UndoConflict') ? { title } : {})
      }
    },
    [store, notices],
  )
  return { canUndo, canRedo, run }
}
