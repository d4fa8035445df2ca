import { memo, type KeyboardEvent } from 'react'
import { useQuery } from '@chronicle/react'
import { cardById, personName } from '../../domain'
import { Avatar } from '../Avatar'
import type { BoardDrag } from './useBoardDrag'

/** Props of `CardTile`. */
export interface CardTileProps {
  readonly cardId: string
  readonly drag: BoardDrag
  readonly dropBefore: boolean
  /** A change to this card waits for the sync server. */
  readonly pending: boolean
  readonly onOpen: (cardId: string) => void
  readonly onKey: (cardId: string, title: string, event: KeyboardEvent) => void
}

/** A card on the board: drag it, or focus its title and use the keyboard; Enter opens it. */
export const CardTile = memo(function CardTile({ cardId, drag, dropBefore, pending, onOpen, onKey }: CardTileProps) {
  const card = useQuery(cardById, cardId)
  if (!card) return null
  const done = card.checklist.filter((item) => item.done).length
  const classes = ['card', drag.draggingId === cardId ? 'is-dragging' : '', dropBefore ? 'drop-before' : '', pending ? 'is-pending' : ''].filter(Boolean).join(' ')
  return (
    <li className={classes} data-card-id={cardId} {...drag.cardProps(cardId, card.title)}>
      <button type="button" className="card-open" aria-describedby="card-keyboard-hint" onClick={() => onOpen(cardId)} onKeyDown={(e) => onKey(cardId, card.title, e)}>
        {card.title}
      </button>
      <div className="card-meta">
        {pending && (
          <span className="badge badge-pending" title="Changed on this device; waiting for the sync server">
            <svg viewBox="0 0 16 16" aria-hidden="true" className="badge-icon">
              <circle cx="8" cy="8" r="5.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
              <path d="M8 5v3.2l2 1.3" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
            </svg>
            Pending
          </span>
        )}
        {card.checklist.length > 0 && (
          <span className={`badge ${done === card.checklist.length ? 'badge-complete' : ''}`} title="Checklist">
            <svg viewBox="0 0 16 16" aria-hidden="true" className="badge-icon">
              <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
            <span className="visually-hidden">Checklist </span>
            {done}/{card.checklist.length}
          </span>
        )}
        {card.comments.length > 0 && (
          <span className="badge" title="Comments">
            <svg viewBox="0 0 16 16" aria-hidden="true" className="badge-icon">
              <path d="M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
            </svg>
            <span className="visually-hidden">Comments </span>
            {card.comments.length}
          </span>
        )}
        {card.description && (
          <span className="badge" title="Has a description">
            <svg viewBox="0 0 16 16" aria-hidden="true" className="badge-icon">
              <path d="M3 4h10M3 8h10M3 12h6" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
            </svg>
            <span className="visually-hidden">Has a description</span>
          </span>
        )}
        {card.assignee && (
          <span className="card-assignee">
            <Avatar personId={card.assignee} size="small" />
            <span className="visually-hidden">Assigned to {personName(card.assignee)}</span>
          </span>
        )}
      </div>
    </li>
  )
})
