import { defineProjection, defineQuery, type EventEnvelope } from '@chronicle/core'
import { boardEvents } from './events'

/** What happened, with the names as they were at the time (an audit trail does not rewrite history). */
export type ActivityAction =
  | { readonly kind: 'board-created'; readonly name: string }
  | { readonly kind: 'wip-limit-set'; readonly column: string; readonly limit: number | null }
  | { readonly kind: 'card-added'; readonly column: string }
  | { readonly kind: 'card-edited'; readonly renamedFrom: string | null; readonly descriptionChanged: boolean }
  | { readonly kind: 'card-moved'; readonly from: string; readonly to: string; readonly position: number }
  | { readonly kind: 'card-archived'; readonly column: string }
  | { readonly kind: 'card-restored'; readonly column: string }
  | { readonly kind: 'card-assigned'; readonly assignee: string | null }
  | { readonly kind: 'comment-added'; readonly text: string }
  | { readonly kind: 'checklist-item-added'; readonly text: string }
  | { readonly kind: 'checklist-item-toggled'; readonly text: string; readonly done: boolean }
  | { readonly kind: 'card-completed'; readonly cycleTimeMs: number }

/** One line of the audit trail: who did what, to which card, when, and through which command. */
export interface ActivityEntry {
  /** The event's id. */
  readonly id: string
  readonly seq: number
  readonly at: number
  /** The person who caused it; `null` for what the system recorded (a reaction). */
  readonly actor: string | null
  readonly boardId: string
  readonly cardId: string | null
  /** The card's title when it happened. */
  readonly cardTitle: string | null
  readonly action: ActivityAction
  readonly commandId: string
}

/** The state of the activity read model. */
export interface ActivityState {
  /** Oldest first, in log order. */
  readonly entries: readonly ActivityEntry[]
  /** Names the entries need, as of the latest event. */
  readonly columnNames: { readonly [boardColumn: string]: string }
  readonly cardTitles: { readonly [cardId: string]: string }
  readonly checklistTexts: { readonly [itemId: string]: string }
}

const initial: ActivityState = { entries: [], columnNames: {}, cardTitles: {}, checklistTexts: {} }

type Draft = { entries: ActivityEntry[]; columnNames: Record<string, string>; cardTitles: Record<string, string>; checklistTexts: Record<string, string> }

function record(draft: Draft, envelope: EventEnvelope, payload: { boardId: string; by?: string; cardId?: string }, action: ActivityAction, at = envelope.meta.at): void {
  const cardId = payload.cardId ?? null
  draft.entries.push({
    id: envelope.id,
    seq: envelope.seq,
    at,
    actor: payload.by ?? null,
    boardId: payload.boardId,
    cardId,
    cardTitle: cardId === null ? null : (draft.cardTitles[cardId] ?? null),
    action,
    commandId: envelope.meta.commandId,
  })
}

const column = (draft: Draft, boardId: string, columnId: string) => draft.columnNames[`${boardId}/${columnId}`] ?? columnId

/** The audit trail: every change to every board, who made it and when, from the events alone. */
export const activity = defineProjection({
  name: 'activity',
  version: 1,
  events: boardEvents,
  initial,
  on: {
    BoardCreated: (draft, e, envelope) => {
      for (const c of e.columns) draft.columnNames[`${e.boardId}/${c.columnId}`] = c.name
      record(draft, envelope, e, { kind: 'board-created', name: e.name })
    },
    WipLimitSet: (draft, e, envelope) => record(draft, envelope, e, { kind: 'wip-limit-set', column: column(draft, e.boardId, e.columnId), limit: e.limit }),
    CardAdded: (draft, e, envelope) => {
      draft.cardTitles[e.cardId] = e.title
      record(draft, envelope, e, { kind: 'card-added', column: column(draft, e.boardId, e.columnId) })
    },
    CardEdited: (draft, e, envelope) => {
      const renamedFrom = e.title === undefined ? null : (draft.cardTitles[e.cardId] ?? '')
      if (e.title !== undefined) draft.cardTitles[e.cardId] = e.title
      record(draft, envelope, e, { kind: 'card-edited', renamedFrom, descriptionChanged: e.description !== undefined })
    },
    CardMoved: (draft, e, envelope) =>
      record(draft, envelope, e, { kind: 'card-moved', from: column(draft, e.boardId, e.from), to: column(draft, e.boardId, e.to), position: e.position }),
    CardArchived: (draft, e, envelope) => record(draft, envelope, e, { kind: 'card-archived', column: column(draft, e.boardId, e.columnId) }),
    CardRestored: (draft, e, envelope) => record(draft, envelope, e, { kind: 'card-restored', column: column(draft, e.boardId, e.columnId) }),
    CardAssigned: (draft, e, envelope) => record(draft, envelope, e, { kind: 'card-assigned', assignee: e.assignee }),
    CommentAdded: (draft, e, envelope) => record(draft, envelope, e, { kind: 'comment-added', text: e.text }),
    ChecklistItemAdded: (draft, e, envelope) => {
      draft.checklistTexts[e.itemId] = e.text
      record(draft, envelope, e, { kind: 'checklist-item-added', text: e.text })
    },
    ChecklistItemToggled: (draft, e, envelope) =>
      record(draft, envelope, e, { kind: 'checklist-item-toggled', text: draft.checklistTexts[e.itemId] ?? '', done: e.done }),
    // Recorded by a reaction a moment later; it happened when the card reached Done.
    CardCompleted: (draft, e, envelope) => record(draft, envelope, e, { kind: 'card-completed', cycleTimeMs: e.cycleTimeMs }, e.completedAt),
  },
})

/** The newest `limit` entries of the audit trail, newest first. */
export const recentActivity = defineQuery({
  projection: activity,
  select: (state, limit: number): readonly ActivityEntry[] => state.entries.slice(-limit).reverse(),
})

/** A card's history, newest first. */
export const cardActivity = defineQuery({
  projection: activity,
  select: (state, cardId: string): readonly ActivityEntry[] => state.entries.filter((entry) => entry.cardId === cardId).reverse(),
})
