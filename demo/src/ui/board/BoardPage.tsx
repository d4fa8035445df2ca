import { useCallback, useState, type KeyboardEvent } from 'react'
import { useQuery } from '@chronicle/react'
import { boardById, demoBoardId } from '../../domain'
import { CardDialog } from '../card/CardDialog'
import { PageLoading } from '../common'
import { ArchivedCards } from './ArchivedCards'
import { Column } from './Column'
import { ColumnSettings } from './ColumnSettings'
import { cardHandle, focusCard } from './focusCard'
import { keyIntent } from './keyboard'
import { useBoardDrag } from './useBoardDrag'
import { useCardMoves } from './useCardMoves'
import { useIsTravelling } from '../history/useTravel'

/** The Kanban board: columns of cards, moved by drag and drop or the keyboard. */
export function BoardPage() {
  const board = useQuery(boardById, demoBoardId)
  const travelling = useIsTravelling()
  if (!board) {
    return <PageLoading>{travelling ? 'The board did not exist yet at this point of its history.' : 'Opening the board…'}</PageLoading>
  }
  return <LoadedBoard boardId={board.id} />
}

function LoadedBoard({ boardId }: { boardId: string }) {
  const board = useQuery(boardById, boardId)!
  const [openCard, setOpenCard] = useState<string | null>(null)
  const [settingsFor, setSettingsFor] = useState<string | null>(null)
  const [showArchived, setShowArchived] = useState(false)
  const move = useCardMoves(board)
  const readOnly = useIsTravelling()

  const onDrop = useCallback(
    (cardId: string, to: string, position: number) => {
      const title = cardHandle(cardId)?.textContent ?? ''
      void move({ cardId, title, to, position })
    },
    [move],
  )
  const drag = useBoardDrag(board, onDrop, readOnly)

  const onCardKey = useCallback(
    (cardId: string, title: string, event: KeyboardEvent) => {
      const intent = keyIntent(board, cardId, event.key, event.shiftKey)
      if (!intent) return
      event.preventDefault()
      if (intent.kind === 'focus') focusCard(intent.cardId)
      else void move({ cardId, title, to: intent.to, position: intent.position, follow: true })
    },
    [board, move],
  )

  const cardCount = board.columnOrder.reduce((sum, id) => sum + (board.columns[id]?.cardIds.length ?? 0), 0)
  return (
    <div className={`board-page ${readOnly ? 'is-read-only' : ''}`}>
      <div className="page-toolbar">
        <div>
          <h1 className="page-title">{board.name}</h1>
          <p className="muted">
            {cardCount} cards on the board · {board.columnOrder.length} columns
          </p>
        </div>
        <div className="toolbar-actions">
          <button type="button" className="button" onClick={() => setShowArchived(true)}>
            Archived ({board.archived.length})
          </button>
        </div>
      </div>
      <p className="keyboard-hint" aria-hidden="true">
        <kbd>Enter</kbd> opens a card · <kbd>↑</kbd> <kbd>↓</kbd> <kbd>←</kbd> <kbd>→</kbd> move between cards · <kbd>Shift</kbd> + arrows move the card
      </p>
      <p id="card-keyboard-hint" className="visually-hidden">
        Press Enter to open the card. Arrow keys move between cards. Shift with an arrow key moves the card to the next column, or up and down in its column.
      </p>
      <div className="columns">
        {board.columnOrder.map((columnId) => (
          <Column key={columnId} board={board} column={board.columns[columnId]!} drag={drag} onOpenCard={setOpenCard} onCardKey={onCardKey} onSettings={setSettingsFor} />
        ))}
      </div>
      {openCard && <CardDialog board={board} cardId={openCard} onClose={() => setOpenCard(null)} />}
      {settingsFor && <ColumnSettings board={board} columnId={settingsFor} onClose={() => setSettingsFor(null)} />}
      {showArchived && (
        <ArchivedCards
          board={board}
          onClose={() => setShowArchived(false)}
          onOpen={(cardId) => {
            setShowArchived(false)
            setOpenCard(cardId)
          }}
        />
      )}
    </div>
  )
}
