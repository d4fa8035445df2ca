import { useCallback, useMemo, useState, type DragEvent } from 'react'
import type { BoardView } from '../../domain'

const cardType = 'application/x-chronicle-card'

/** Where a dragged card would land: before the card at `index` of the column (or at its end). */
export interface DropTarget {
  readonly columnId: string
  readonly index: number
}

/** Drag-and-drop handlers for cards and columns (native HTML5 drag and drop). */
export interface BoardDrag {
  readonly draggingId: string | null
  readonly dropTarget: DropTarget | null
  cardProps(cardId: string, title: string): { draggable: boolean; onDragStart: (e: DragEvent) => void; onDragEnd: () => void }
  columnProps(columnId: string): { onDragOver: (e: DragEvent<HTMLElement>) => void; onDragLeave: (e: DragEvent<HTMLElement>) => void; onDrop: (e: DragEvent<HTMLElement>) => void }
}

/** The index a pointer at `clientY` points to among a column's cards: before the first card whose middle is below it. */
function indexAt(list: HTMLElement, clientY: number): number {
  const cards = [...list.querySelectorAll<HTMLElement>('[data-card-id]')]
  const index = cards.findIndex((card) => {
    const rect = card.getBoundingClientRect()
    return clientY < rect.top + rect.height / 2
  })
  return index < 0 ? cards.length : index
}

/**
 * Drag state for the board. `onDrop(cardId, columnId, position)` gets the position the card takes
 * after the move (its own old slot excluded), which is what `moveCard` expects. Nothing is
 * draggable while `readOnly`.
 */
export function useBoardDrag(board: BoardView, onDrop: (cardId: string, columnId: string, position: number) => void, readOnly = false): BoardDrag {
  const [draggingId, setDraggingId] = useState<string | null>(null)
  const [dropTarget, setDropTarget] = useState<DropTarget | null>(null)

  const cardProps = useCallback(
    (cardId: string, title: string) => ({
      draggable: !readOnly,
      onDragStart: (e: DragEvent) => {
        e.dataTransfer.setData(cardType, cardId)
        e.dataTransfer.setData('text/plain', title)
        e.dataTransfer.effectAllowed = 'move'
        setDraggingId(cardId)
      },
      onDragEnd: () => {
        setDraggingId(null)
        setDropTarget(null)
      },
    }),
    [readOnly],
  )

  const columnProps = useCallback(
    (columnId: string) => ({
      onDragOver: (e: DragEvent<HTMLElement>) => {
        if (!e.dataTransfer.types.includes(cardType)) return
        e.preventDefault()
        e.dataTransfer.dropEffect = 'move'
        const index = indexAt(e.currentTarget, e.clientY)
        setDropTarget((current) => (current?.columnId === columnId && current.index === index ? current : { columnId, index }))
      },
      onDragLeave: (e: DragEvent<HTMLElement>) => {
        if (e.relatedTarget instanceof Node && e.currentTarget.contains(e.relatedTarget)) return
        setDropTarget((current) => (current?.columnId === columnId ? null : current))
      },
      onDrop: (e: DragEvent<HTMLElement>) => {
        const cardId = e.dataTransfer.getData(cardType)
        if (!cardId) return
        e.preventDefault()
        const index = indexAt(e.currentTarget, e.clientY)
        setDropTarget(null)
        setDraggingId(null)
        const from = board.columns[columnId]?.cardIds.indexOf(cardId) ?? -1
        onDrop(cardId, columnId, from >= 0 && from < index ? index - 1 : index)
      },
    }),
    [board, onDrop],
  )

  return useMemo(() => ({ draggingId, dropTarget, cardProps, columnProps }), [draggingId, dropTarget, cardProps, columnProps])
}
