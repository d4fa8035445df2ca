import { newId } from '@chronicle/core'
import { useId, useState, type FormEvent } from 'react'
import { addChecklistItem, toggleChecklistItem, type CardView, type ChecklistItemView } from '../../domain'
import { useAction, type Action } from '../useAction'

type ToggleInput = { boardId: string; cardId: string; itemId: string; done: boolean }

/** One item. The box shows the click at once and falls back to the log's word if the toggle is refused. */
function ChecklistItem({ card, item, toggle }: { card: CardView; item: ChecklistItemView; toggle: Action<ToggleInput> }) {
  const [optimistic, setOptimistic] = useState<boolean | null>(null)
  const checked = optimistic ?? item.done
  return (
    <li>
      <label className={`check ${checked ? 'is-done' : ''}`}>
        <input
          type="checkbox"
          checked={checked}
          onChange={async (e) => {
            setOptimistic(e.target.checked)
            await toggle.run({ boardId: card.boardId, cardId: card.id, itemId: item.id, done: e.target.checked })
            setOptimistic(null)
          }}
        />
        <span>{item.text}</span>
      </label>
    </li>
  )
}

/** The card's checklist: tick items off, add new ones. Done takes only complete checklists. */
export function ChecklistSection({ card, inDone }: { card: CardView; inDone: boolean }) {
  const [text, setText] = useState('')
  const add = useAction(addChecklistItem)
  const toggle = useAction(toggleChecklistItem)
  const inputId = useId()
  const headingId = useId()
  const done = card.checklist.filter((item) => item.done).length
  const total = card.checklist.length

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!text.trim()) return
    if (await add.run({ boardId: card.boardId, cardId: card.id, itemId: newId(), text })) setText('')
  }

  return (
    <section className="stack" aria-labelledby={headingId}>
      <div className="section-heading">
        <h3 id={headingId} className="section-title">
          Checklist
        </h3>
        {total > 0 && (
          <span className="muted">
            {done} of {total} done
          </span>
        )}
      </div>
      {total > 0 && (
        <div className="progress" aria-hidden="true">
          <div className="progress-bar" style={{ width: `${(done / total) * 100}%` }} />
        </div>
      )}
      {total > 0 && (
        <ul className="checklist">
          {card.checklist.map((item) => (
            <ChecklistItem key={item.id} card={card} item={item} toggle={toggle} />
          ))}
        </ul>
      )}
      {inDone ? (
        <p className="field-hint">This card is done: move it back to an open column to add work to it.</p>
      ) : (
        <form className="inline-form" onSubmit={submit}>
          <label htmlFor={inputId} className="visually-hidden">
            New checklist item
          </label>
          <input id={inputId} className="input" value={text} maxLength={200} placeholder="Add an item" onChange={(e) => setText(e.target.value)} />
          <button type="submit" className="button" disabled={!text.trim() || add.pending}>
            Add item
          </button>
        </form>
      )}
    </section>
  )
}
