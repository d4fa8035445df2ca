import { Fragment, type ReactNode } from 'react'
import { personName, type ActivityEntry } from '../../domain'
import { formatDuration } from '../format'

/** A piece of an activity sentence: plain words, quoted user text, or the card's name. */
type Segment = string | { readonly quote: string } | { readonly card: true }

const quote = (text: string): Segment => ({ quote: text })
const card: Segment = { card: true }

/** What the entry says happened, as a phrase after the actor's name. */
function phrase(entry: ActivityEntry): Segment[] {
  const a = entry.action
  switch (a.kind) {
    case 'board-created':
      return ['created the board ', quote(a.name)]
    case 'wip-limit-set':
      return a.limit === null ? ['removed the WIP limit of ', quote(a.column)] : ['set the WIP limit of ', quote(a.column), ` to ${a.limit}`]
    case 'card-added':
      return ['added ', card, ` to ${a.column}`]
    case 'card-edited':
      if (a.renamedFrom !== null) return ['renamed ', quote(a.renamedFrom), ' to ', card, a.descriptionChanged ? ' and edited its description' : '']
      return ['edited the description of ', card]
    case 'card-moved':
      return a.from === a.to ? ['reordered ', card, ` in ${a.to}`] : ['moved ', card, ` from ${a.from} to ${a.to}`]
    case 'card-archived':
      return ['archived ', card, ` from ${a.column}`]
    case 'card-restored':
      return ['restored ', card, ` to ${a.column}`]
    case 'card-assigned':
      return a.assignee === null ? ['unassigned ', card] : ['assigned ', card, ` to ${personName(a.assignee)}`]
    case 'comment-added':
      return ['commented on ', card, ': ', quote(a.text)]
    case 'checklist-item-added':
      return ['added ', quote(a.text), ' to the checklist of ', card]
    case 'checklist-item-toggled':
      return a.done ? ['ticked off ', quote(a.text), ' on ', card] : ['reopened ', quote(a.text), ' on ', card]
    case 'card-completed':
      return [card, ` reached Done after ${formatDuration(a.cycleTimeMs)} in progress`]
  }
}

/** The entry as one line of plain text, for notices and labels ("Ada Lovelace moved “Fix login” from To do to Review"). */
export function activityText(entry: ActivityEntry): string {
  const words = phrase(entry)
    .map((s) => (typeof s === 'string' ? s : 'quote' in s ? `“${s.quote}”` : `“${entry.cardTitle ?? 'a card'}”`))
    .join('')
  return entry.actor === null ? words.charAt(0).toUpperCase() + words.slice(1) : `${personName(entry.actor)} ${words}`
}

/**
 * One audit-trail entry as a sentence ("Ada moved “Fix login” from To do to Review"). Payload text
 * is rendered as React text only, never as HTML. `withCard: false` says "this card" (inside a card).
 */
export function ActivitySentence({ entry, withCard = true }: { entry: ActivityEntry; withCard?: boolean }) {
  const cardName = withCard ? <strong className="card-ref">{entry.cardTitle ?? 'a card'}</strong> : <>this card</>
  const parts: ReactNode[] = phrase(entry).map((s, i) =>
    typeof s === 'string' ? s : 'quote' in s ? <q key={i} className="quoted">{s.quote}</q> : <Fragment key={i}>{cardName}</Fragment>,
  )
  return (
    <span className="activity-sentence">
      {entry.actor === null ? null : <strong>{personName(entry.actor)} </strong>}
      {parts}
    </span>
  )
}
