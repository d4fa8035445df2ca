import { useQuery } from '@chronicle/react'
import { cardById, restoreCard, type BoardView } from '../../domain'
import { Modal } from '../Modal'
import { useAction } from '../useAction'
import { useIsTravelling } from '../history/useTravel'

function ArchivedRow({ board, cardId, onOpen }: { board: BoardView; cardId: string; onOpen: (id: string) => void }) {
  const card = useQuery(cardById, cardId)
  const restore = useAction(restoreCard)
  const travelling = useIsTravelling()
  if (!card) return null
  const columnName = board.columns[card.columnId]?.name ?? card.columnId
  return (
    <li className="archived-row">
      <div>
        <p className="archived-title">{card.title}</p>
        <p className="muted">From {columnName}</p>
      </div>
      <div className="row-actions">
        <button type="button" className="button button-quiet" onClick={() => onOpen(cardId)}>
          Open
        </button>
        <button type="button" className="button" disabled={restore.pending || travelling} onClick={() => void restore.run({ boardId: board.id, cardId })}>
          Restore<span className="visually-hidden"> “{card.title}”</span>
        </button>
      </div>
    </li>
  )
}

/** The cards taken off the board, with a way back. */
export function ArchivedCards({ board, onOpen, onClose }: { board: BoardView; onOpen: (cardId: string) => void; onClose: () => void }) {
  return (
    <Modal title="Archived cards" onClose={onClose} size="small">
      {board.archived.length === 0 ? (
        <p className="muted">Nothing archived. Archived cards keep their history and can come back.</p>
      ) : (
        <ul className="archived-list">
          {board.archived.map((cardId) => (
            <ArchivedRow key={cardId} board={board} cardId={cardId} onOpen={onOpen} />
          ))}
        </ul>
      )}
    </Modal>
  )
}

