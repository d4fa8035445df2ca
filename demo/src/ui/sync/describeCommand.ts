import type { BoardViewState } from '../../domain'

const verbs: Record<string, string> = {
  addCard: 'Adding',
  editCard: 'Editing',
  moveCard: 'Moving',
  archiveCard: 'Archiving',
  restoreCard: 'Restoring',
  assignCard: 'Assigning',
  commentOnCard: 'Commenting on',
  addChecklistItem: 'Adding a checklist item to',
  toggleChecklistItem: 'Ticking a checklist item of',
  recordCompletion: 'Recording the completion of',
}

/**
 * A command as the person who made it would say it ("Moving “Fix login” to Review"), from its
 * type and payload and the board as it is now; for the notice of a command the server refused.
 */
export function describeCommand(type: string, payload: unknown, board: BoardViewState): string {
  const fields = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {}
  const cardId = typeof fields.cardId === 'string' ? fields.cardId : undefined
  const title = typeof fields.title === 'string' && type === 'addCard' ? fields.title : cardId ? board.cards[cardId]?.title : undefined
  const verb = verbs[type]
  if (type === 'setWipLimit') return 'Changing a WIP limit'
  if (!verb || title === undefined) return 'Your change'
  if (type !== 'moveCard' || typeof fields.to !== 'string') return `${verb} “${title}”`
  const boardId = typeof fields.boardId === 'string' ? fields.boardId : ''
  return `${verb} “${title}” to ${board.boards[boardId]?.columns[fields.to]?.name ?? fields.to}`
}
