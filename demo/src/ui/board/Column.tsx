import type { KeyboardEvent } from 'react'
import type { BoardView, ColumnView } from '../../domain'
import { AddCardForm } from './AddCardForm'
import { CardTile } from './CardTile'
import type { BoardDrag } from './useBoardDrag'
import { useIsTravelling } from '../history/useTravel'

/** Props of `Column`. */
export interface ColumnProps {
  readonly board: BoardView
  readonly column: ColumnView
  readonly drag: BoardDrag
  readonly onOpenCard: (cardId: string) => void
  readonly onCardKey: (cardId: string, title: string, event: KeyboardEvent) => void
  readonly onSettings: (columnId: string) => void
}

/** One column: its header with the card count against the WIP limit, its cards, and "Add a card". */
export function Column({ board, column, drag, onOpenCard, onCardKey, onSettings }: ColumnProps) {
  const count = column.cardIds.length
  const limit = column.wipLimit
  const load = limit === null ? 'none' : count > limit ? 'over' : count === limit ? 'full' : 'ok'
  const headingId = `column-${column.id}-heading`
  const readOnly = useIsTravelling()
  const target = drag.dropTarget?.columnId === column.id ? drag.dropTarget.index : -1
  return (
    <section className={`column column-${load} ${column.done ? 'column-done' : ''}`} aria-labelledby={headingId} data-column-id={column.id}>
      <header className="column-header">
        <h2 id={headingId} className="column-title">
          {column.name}
        </h2>
        <span className={`wip wip-${load}`} title={limit === null ? `${count} cards` : `${count} of at most ${limit} cards`}>
          {count}
          {limit !== null && <span className="wip-limit"> / {limit}</span>}
          <span className="visually-hidden">{limit === null ? ' cards' : ` cards, WIP limit ${limit}`}</span>
        </span>
        <button type="button" className="icon-button column-settings" aria-label={`Settings of column ${column.name}`} disabled={readOnly} onClick={() => onSettings(column.id)}>
          <svg viewBox="0 0 16 16" aria-hidden="true" width="16" height="16">
            <circle cx="3.5" cy="8" r="1.4" fill="currentColor" />
            <circle cx="8" cy="8" r="1.4" fill="currentColor" />
            <circle cx="12.5" cy="8" r="1.4" fill="currentColor" />
          </svg>
        </button>
      </header>
      <ol className={`card-list ${target === count ? 'drop-at-end' : ''} ${target >= 0 ? 'is-drop-target' : ''}`} aria-label={`Cards in ${column.name}`} {...drag.columnProps(column.id)}>
        {column.cardIds.map((cardId, index) => (
          <CardTile key={cardId} cardId={cardId} drag={drag} dropBefore={target === index} onOpen={onOpenCard} onKey={onCardKey} />
        ))}
        {count === 0 && <li className="column-empty">{column.done ? 'Finished cards land here.' : 'No cards yet.'}</li>}
      </ol>
      {!readOnly && <AddCardForm boardId={board.id} columnId={column.id} columnName={column.name} />}
    </section>
  )
}
