import { defineAggregate } from '@chronicle/core'
import { boardEvents } from './events'

/** A column as the write side sees it: its rules and its cards in order. */
export interface ColumnState {
  name: string
  wipLimit: number | null
  done: boolean
  cards: string[]
}

/** A card as the write side sees it: only what business rules decide on. */
export interface CardState {
  title: string
  description: string
  assignee: string | null
  columnId: string
  archived: boolean
  checklist: Record<string, boolean>
  comments: Record<string, true>
  createdAt: number
  /** When the card first entered a column past the first one that is not Done. */
  startedAt: number | null
}

/** The state of one board stream. */
export interface BoardState {
  created: boolean
  columnOrder: string[]
  columns: Record<string, ColumnState>
  cards: Record<string, CardState>
}

/** Inserts `id` at `position`, clamped to the list. */
export function insertAt(list: string[], id: string, position: number): void {
  list.splice(Math.max(0, Math.min(position, list.length)), 0, id)
}

/** Removes `id` from the list if it is there. */
export function removeFrom(list: string[], id: string): void {
  const index = list.indexOf(id)
  if (index >= 0) list.splice(index, 1)
}

/**
 * The board aggregate: one stream per board (`board-<id>`), so the WIP limits, the Done rule and
 * the archive rule are decided on one consistent state.
 */
export const board = defineAggregate({
  name: 'board',
  events: boardEvents,
  initial: (): BoardState => ({ created: false, columnOrder: [], columns: {}, cards: {} }),
  evolve: {
    BoardCreated: (draft, e) => {
      draft.created = true
      for (const column of e.columns) {
        draft.columnOrder.push(column.columnId)
        draft.columns[column.columnId] = { name: column.name, wipLimit: column.wipLimit, done: column.done, cards: [] }
      }
    },
    WipLimitSet: (draft, e) => {
      draft.columns[e.columnId]!.wipLimit = e.limit
    },
    CardAdded: (draft, e, envelope) => {
      draft.cards[e.cardId] = { title: e.title, description: e.description, assignee: null, columnId: e.columnId, archived: false, checklist: {}, comments: {}, createdAt: envelope.meta.at, startedAt: null }
      insertAt(draft.columns[e.columnId]!.cards, e.cardId, e.position)
    },
    CardEdited: (draft, e) => {
      const card = draft.cards[e.cardId]!
      if (e.title !== undefined) card.title = e.title
      if (e.description !== undefined) card.description = e.description
    },
    CardMoved: (draft, e, envelope) => {
      const card = draft.cards[e.cardId]!
      removeFrom(draft.columns[e.from]!.cards, e.cardId)
      insertAt(draft.columns[e.to]!.cards, e.cardId, e.position)
      card.columnId = e.to
      const target = draft.columns[e.to]!
      if (card.startedAt === null && e.to !== draft.columnOrder[0] && !target.done) card.startedAt = envelope.meta.at
    },
    CardArchived: (draft, e) => {
      draft.cards[e.cardId]!.archived = true
      removeFrom(draft.columns[e.columnId]!.cards, e.cardId)
    },
    CardRestored: (draft, e) => {
      const card = draft.cards[e.cardId]!
      card.archived = false
      card.columnId = e.columnId
      insertAt(draft.columns[e.columnId]!.cards, e.cardId, e.position)
    },
    CardAssigned: (draft, e) => {
      draft.cards[e.cardId]!.assignee = e.assignee
    },
    CommentAdded: (draft, e) => {
      draft.cards[e.cardId]!.comments[e.commentId] = true
    },
    ChecklistItemAdded: (draft, e) => {
      draft.cards[e.cardId]!.checklist[e.itemId] = false
    },
    ChecklistItemToggled: (draft, e) => {
      draft.cards[e.cardId]!.checklist[e.itemId] = e.done
    },
  },
})
