import type { BoardView } from '../../domain'

/** What a key pressed on a focused card asks for. */
export type KeyIntent = { readonly kind: 'move'; readonly to: string; readonly position: number } | { readonly kind: 'focus'; readonly cardId: string }

const directions = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] } as const

/**
 * The board's keyboard model for a focused card: arrow keys move focus to the neighbouring card;
 * Shift + arrow keys move the card itself (left/right: to the neighbouring column at the same
 * height; up/down: within its column). Returns undefined for keys it does not handle.
 */
export function keyIntent(board: BoardView, cardId: string, key: string, shift: boolean): KeyIntent | undefined {
  const direction = directions[key as keyof typeof directions]
  if (!direction) return undefined
  const [dx, dy] = direction
  const columnIndex = board.columnOrder.findIndex((id) => board.columns[id]?.cardIds.includes(cardId))
  if (columnIndex < 0) return undefined
  const column = board.columns[board.columnOrder[columnIndex]!]!
  const index = column.cardIds.indexOf(cardId)

  if (shift) {
    if (dy !== 0) {
      const position = index + dy
      if (position < 0 || position >= column.cardIds.length) return undefined
      return { kind: 'move', to: column.id, position }
    }
    const target = board.columns[board.columnOrder[columnIndex + dx] ?? '']
    if (!target) return undefined
    return { kind: 'move', to: target.id, position: Math.min(index, target.cardIds.length) }
  }

  if (dy !== 0) {
    const neighbour = column.cardIds[index + dy]
    return neighbour ? { kind: 'focus', cardId: neighbour } : undefined
  }
  // Left/right: the nearest column in that direction that has cards, at the same height or its last card.
  for (let i = columnIndex + dx; i >= 0 && i < board.columnOrder.length; i += dx) {
    const ids = board.columns[board.columnOrder[i]!]?.cardIds ?? []
    if (ids.length > 0) return { kind: 'focus', cardId: ids[Math.min(index, ids.length - 1)]! }
  }
  return undefined
}
