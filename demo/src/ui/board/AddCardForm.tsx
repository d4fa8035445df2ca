import { newId } from '@chronicle/core'
import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import { addCard } from '../../domain'
import { useAction } from '../useAction'

/** The "Add a card" control at the bottom of a column; stays open for the next card after adding. */
export function AddCardForm({ boardId, columnId, columnName }: { boardId: string; columnId: string; columnName: string }) {
  const [open, setOpen] = useState(false)
  const [title, setTitle] = useState('')
  const add = useAction(addCard)
  const inputId = useId()
  const opener = useRef<HTMLButtonElement>(null)

  const close = () => {
    setOpen(false)
    setTitle('')
    requestAnimationFrame(() => opener.current?.focus())
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!title.trim()) return
    if (await add.run({ boardId, columnId, cardId: newId(), title })) setTitle('')
  }
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault()
      close()
    }
  }

  if (!open) {
    return (
      <button ref={opener} type="button" className="add-card-button" onClick={() => setOpen(true)}>
        <span aria-hidden="true">+</span> Add a card<span className="visually-hidden"> to {columnName}</span>
      </button>
    )
  }
  return (
    <form className="add-card-form" onSubmit={submit} onKeyDown={onKeyDown}>
      <label htmlFor={inputId} className="visually-hidden">
        Title of the new card in {columnName}
      </label>
      <input id={inputId} className="input" autoFocus value={title} maxLength={200} placeholder="What needs doing?" onChange={(e) => setTitle(e.target.value)} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={!title.trim() || add.pending}>
          Add card
        </button>
        <button type="button" className="button button-quiet" onClick={close}>
          Cancel
        </button>
      </div>
    </form>
  )
}
