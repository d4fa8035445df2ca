import { useId, useState, type FormEvent } from 'react'
import { editCard, type CardView } from '../../domain'
import { useAction } from '../useAction'

/** Title and description, saved together with "Save changes". */
export function CardDetails({ card }: { card: CardView }) {
  const [title, setTitle] = useState(card.title)
  const [description, setDescription] = useState(card.description)
  const edit = useAction(editCard)
  const titleId = useId()
  const descriptionId = useId()
  const changed = title.trim() !== card.title || description.trim() !== card.description

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    await edit.run({ boardId: card.boardId, cardId: card.id, title, description })
  }

  return (
    <form className="stack" onSubmit={submit} aria-label="Edit card">
      <div className="field">
        <label htmlFor={titleId} className="field-label">
          Title
        </label>
        <input id={titleId} className="input" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={descriptionId} className="field-label">
          Description
        </label>
        <textarea
          id={descriptionId}
          className="input textarea"
          rows={4}
          value={description}
          placeholder="Add more detail: the why, links, acceptance criteria…"
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={!changed || edit.pending}>
          Save changes
        </button>
        {changed && (
          <button
            type="button"
            className="button button-quiet"
            onClick={() => {
              setTitle(card.title)
              setDescription(card.description)
            }}
          >
            Discard
          </button>
        )}
      </div>
    </form>
  )
}
