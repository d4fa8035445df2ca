import { useCallback } from 'react'
import { moveCard, type BoardView } from '../../domain'
import { useNotices } from '../notices'
import { useAction } from '../useAction'
import { focusCard } from './focusCard'

/** A move the user asked for: where to, and whether focus should follow the card. */
export interface MoveRequest {
  readonly cardId: string
  readonly title: string
  readonly to: string
  readonly position: number
  readonly follow?: boolean
}

/**
 * Moves cards for the board (drag and drop, keyboard, the move menu): dispatches `moveCard`, says
 * what happened to screen readers, and keeps focus on the card. A refusal shows as a notice.
 */
export function useCardMoves(board: BoardView): (request: MoveRequest) => Promise<boolean> {
  const { run } = useAction(moveCard)
  const notices = useNotices()
  return useCallback(
    async ({ cardId, title, to, position, follow = false }: MoveRequest) => {
      const receipt = await run({ boardId: board.id, cardId, to, position })
      if (follow) focusCard(cardId)
      if (!receipt) return false
      if (receipt.eventCount === 0) return true
      const column = board.columns[to]
      notices.announce(`Moved “${title}” to ${column?.name ?? to}, position ${position + 1}.`)
      return true
    },
    [run, notices, board],
  )
}
