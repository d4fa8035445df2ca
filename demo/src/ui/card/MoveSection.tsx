import { useId, useState, type FormEvent } from 'react'
import type { BoardView, CardView } from '../../domain'
import { useCardMoves } from '../board/useCardMoves'

/** Move a card without dragging: pick the column and the position. */
export function MoveSection({ board, card }: { board: BoardView; card: CardView }) {
  const [to, setTo] = useState(card.columnId)
  const target = board.columns[to]
  const length = (target?.cardIds.length ?? 0) + (to === card.columnId ? 0 : 1)
  const current = board.columns[card.columnId]?.cardIds.indexOf(card.id) ?? 0
  const [position, setPosition] = useState(Math.max(0, current))
  const move = useCardMoves(board)
  const columnId = useId()
  const positionId = useId()
  const clamped = Math.min(position, Math.max(0, length - 1))

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    await move({ cardId: card.id, title: card.title, to, position: clamped })
  }

  return (
    <form className="side-section stack" onSubmit={submit} aria-label="Move card">
      <h3 className="section-title">Move</h3>
      <div className="field-row">
        <div className="field">
          <label htmlFor={columnId} className="field-label">
            Column
          </label>
          <select id={columnId} className="input" value={to} onChange={(e) => setTo(e.target.value)}>
            {board.columnOrder.map((id) => (
              <option key={id} value={id}>
                {board.columns[id]?.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-narrow">
          <label htmlFor={positionId} className="field-label">
            Position
          </label>
          <select id={positionId} className="input" value={clamped} onChange={(e) => setPosition(Number(e.target.value))}>
            {Array.from({ length: Math.max(1, length) }, (_, i) => (
              <option key={i} value={i}>
                {i + 1}
              </option>
            ))}
          </select>
        </div>
      </div>
      <button type="submit" className="button full-width">
        Move card
      </button>
    </form>
  )
}
