import { newId } from '@chronicle/core'
import { useId, useState, type FormEvent } from 'react'
import { commentOnCard, personName, type CardView } from '../../domain'
import { Avatar } from '../Avatar'
import { useNow } from '../format'
import { TimeAgo } from '../TimeAgo'
import { useAction } from '../useAction'

/** The card's comments, oldest first, and a box to add one. */
export function CommentsSection({ card }: { card: CardView }) {
  const [text, setText] = useState('')
  const comment = useAction(commentOnCard)
  const now = useNow()
  const inputId = useId()
  const headingId = useId()

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!text.trim()) return
    if (await comment.run({ boardId: card.boardId, cardId: card.id, commentId: newId(), text })) setText('')
  }

  return (
    <section className="stack" aria-labelledby={headingId}>
      <h3 id={headingId} className="section-title">
        Comments <span className="muted">({card.comments.length})</span>
      </h3>
      {card.comments.length > 0 && (
        <ol className="comments">
          {card.comments.map((c) => (
            <li key={c.id} className="comment">
              <Avatar personId={c.by} />
              <div className="comment-body">
                <p className="comment-meta">
                  <strong>{personName(c.by)}</strong>{' '}
                  <TimeAgo at={c.at} now={now} className="muted" />
                </p>
                <p className="comment-text">{c.text}</p>
              </div>
            </li>
          ))}
        </ol>
      )}
      <form className="stack" onSubmit={submit}>
        <label htmlFor={inputId} className="visually-hidden">
          Write a comment
        </label>
        <textarea id={inputId} className="input textarea" rows={2} value={text} placeholder="Write a comment…" onChange={(e) => setText(e.target.value)} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={!text.trim() || comment.pending}>
            Comment
          </button>
        </div>
      </form>
    </section>
  )
}
