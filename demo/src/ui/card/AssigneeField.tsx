import { useId } from 'react'
import { assignCard, type CardView, type PersonId } from '../../domain'
import { PersonOptions } from '../common'
import { useAction } from '../useAction'

/** Who the card is assigned to; changing it assigns at once. */
export function AssigneeField({ card }: { card: CardView }) {
  const assign = useAction(assignCard)
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        Assignee
      </label>
      <select
        id={id}
        className="input"
        value={card.assignee ?? ''}
        disabled={assign.pending}
        onChange={(e) => void assign.run({ boardId: card.boardId, cardId: card.id, assignee: e.target.value === '' ? null : (e.target.value as PersonId) })}
      >
        <option value="">Nobody</option>
        <PersonOptions />
      </select>
    </div>
  )
}
