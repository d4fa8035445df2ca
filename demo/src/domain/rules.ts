import { RuleViolation, Unauthorized, type CommandContext } from '@chronicle/core'
import type { BoardState, CardState, ColumnState } from './board'
import { isPersonId, type PersonId } from './people'

// The business rules of the board, shared by the command handlers. Each refusal is a RuleViolation
// with a stable code and a message that says what to do instead.

/** Who issues a command: the principal must be `{ userId }` of a team member. */
export function actorOf(context: CommandContext): PersonId {
  const principal = context.principal as { userId?: unknown } | null | undefined
  const userId = typeof principal === 'object' && principal !== null ? principal.userId : undefined
  if (!isPersonId(userId)) throw new Unauthorized('unknown-person', 'Pick who you are (the person menu in the header) before changing the board.')
  return userId
}

/** `authorize` of every board command: only team members may change the board. */
export function isTeamMember(_command: unknown, context: CommandContext): boolean {
  actorOf(context)
  return true
}

/** The board must exist. */
export function requireBoard(state: BoardState, boardId: string): void {
  if (!state.created) throw new RuleViolation('board-missing', `Board "${boardId}" does not exist.`)
}

/** The column must exist on the board. */
export function requireColumn(state: BoardState, columnId: string): ColumnState {
  const column = state.columns[columnId]
  if (!column) throw new RuleViolation('column-missing', `There is no column "${columnId}" on this board.`)
  return column
}

/** The card must exist on the board. */
export function requireCard(state: BoardState, cardId: string): CardState {
  const card = state.cards[cardId]
  if (!card) throw new RuleViolation('card-missing', `There is no card "${cardId}" on this board; it may have been removed by someone else.`)
  return card
}

/** The card must exist and not be archived: archived cards are read-only until restored. */
export function requireActiveCard(state: BoardState, cardId: string): CardState {
  const card = requireCard(state, cardId)
  if (card.archived) throw new RuleViolation('card-archived', `“${card.title}” is archived. Restore it before changing it.`, { cardId })
  return card
}

/** The column must have room for one more card under its WIP limit. */
export function checkWipLimit(column: ColumnState, columnId: string): void {
  if (column.wipLimit !== null && column.cards.length >= column.wipLimit) {
    throw new RuleViolation(
      'wip-limit',
      `“${column.name}” is at its WIP limit of ${column.wipLimit}. Finish or move a card out of it first, or raise the limit.`,
      { columnId, limit: column.wipLimit },
    )
  }
}

/** A card may enter a Done column only with every checklist item ticked off. */
export function checkDoneRule(card: CardState, column: ColumnState, cardId: string): void {
  if (!column.done) return
  const open = Object.values(card.checklist).filter((done) => !done).length
  if (open > 0) {
    throw new RuleViolation(
      'open-checklist',
      `“${card.title}” has ${open} open checklist item${open === 1 ? '' : 's'}. Tick ${open === 1 ? 'it' : 'them'} off before moving the card to “${column.name}”.`,
      { cardId, open },
    )
  }
}

/** The rules of putting a card into a column (a move from another column, or a restore). */
export function checkCanEnter(card: CardState, cardId: string, column: ColumnState, columnId: string): void {
  checkWipLimit(column, columnId)
  checkDoneRule(card, column, cardId)
}

/** Work on a finished card cannot be reopened in place: a card in Done keeps a complete checklist. */
export function checkNotDone(state: BoardState, card: CardState): void {
  const column = state.columns[card.columnId]
  if (column?.done) {
    throw new RuleViolation('card-done', `“${card.title}” is in “${column.name}”. Move it back to an open column before adding or reopening checklist items.`)
  }
}
