import { useQuery } from '@chronicle/react'
import { archiveCard, cardById, personName, restoreCard, type BoardView } from '../../domain'
import { formatDateTime } from '../format'
import { Modal } from '../Modal'
import { useAction } from '../useAction'
import { cardHandle } from '../board/focusCard'
import { AssigneeField } from './AssigneeField'
import { CardDetails } from './CardDetails'
import { CardHistory } from './CardHistory'
import { ChecklistSection } from './ChecklistSection'
import { CommentsSection } from './CommentsSection'
import { MoveSection } from './MoveSection'
import { useIsTravelling } from '../history/useTravel'

/** Everything about one card: edit, checklist, comments, assignee, move, archive, history. */
export function CardDialog({ board, cardId, onClose }: { board: BoardView; cardId: string; onClose: () => void }) {
  const card = useQuery(cardById, cardId)
  const archive = useAction(archiveCard)
  const restore = useAction(restoreCard)
  const travelling = useIsTravelling()
  if (!card) return null
  const column = board.columns[card.columnId]
  const ids = { boardId: board.id, cardId }

  return (
    <Modal title={card.title} onClose={onClose} returnFocus={() => cardHandle(cardId)}>
      <div className="card-dialog">
        <div className="card-dialog-main">
          <p className="card-dialog-status">
            <span className="pill">{card.archived ? 'Archived' : (column?.name ?? card.columnId)}</span>
            <span className="muted">
              Added by {personName(card.createdBy)} · {formatDateTime(card.createdAt)}
            </span>
          </p>
          {travelling ? (
            <p className="inline-alert">You are looking at the past: this card is shown as it was then, read-only.</p>
          ) : (
            card.archived && <p className="inline-alert">This card is archived: it is read-only until you restore it.</p>
          )}
          <fieldset className="plain-fieldset stack-large" disabled={card.archived || travelling}>
            <legend className="visually-hidden">Card details</legend>
            <CardDetails key={cardId} card={card} />
            <ChecklistSection card={card} inDone={column?.done === true} />
            <CommentsSection card={card} />
          </fieldset>
        </div>
        <aside className="card-dialog-side" aria-label="Card actions">
          <fieldset className="plain-fieldset stack" disabled={card.archived || travelling}>
            <legend className="visually-hidden">Assign and move</legend>
            <AssigneeField card={card} />
            <MoveSection board={board} card={card} />
          </fieldset>
          <div className="side-section">
            {card.archived ? (
              <button type="button" className="button button-primary full-width" disabled={restore.pending || travelling} onClick={() => void restore.run(ids)}>
                Restore to {column?.name ?? 'the board'}
              </button>
            ) : (
              <button type="button" className="button button-danger full-width" disabled={archive.pending || travelling} onClick={() => void archive.run(ids).then((r) => r && onClose())}>
                Archive card
              </button>
            )}
          </div>
          <CardHistory cardId={cardId} />
        </aside>
      </div>
    </Modal>
  )
}
