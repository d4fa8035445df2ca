import { defineProjection, defineQuery } from '@chronicle/core'
import { insertAt, removeFrom } from './board'
import { boardEvents } from './events'

/** A column as the board shows it. */
export interface ColumnView {
  readonly id: string
  readonly name: string
  readonly wipLimit: number | null
  readonly done: boolean
  /** The column's cards, top to bottom. */
  readonly cardIds: readonly string[]
}

/** A comment on a card. */
export interface CommentView {
  readonly id: string
  readonly text: string
  readonly by: string
  readonly at: number
}

/** A checklist item of a card. */
export interface ChecklistItemView {
  readonly id: string
  readonly text: string
  readonly done: boolean
}

/** Everything the board and the card dialog show about a card. */
export interface CardView {
  readonly id: string
  readonly boardId: string
  readonly title: string
  readonly description: string
  readonly columnId: string
  readonly assignee: string | null
  readonly archived: boolean
  readonly checklist: readonly ChecklistItemView[]
  readonly comments: readonly CommentView[]
  readonly createdAt: number
  readonly createdBy: string
  readonly updatedAt: number
}

/** A board: its columns in order and its archived cards (most recently archived first). */
export interface BoardView {
  readonly id: string
  readonly name: string
  readonly columnOrder: readonly string[]
  readonly columns: { readonly [columnId: string]: ColumnView }
  readonly archived: readonly string[]
}

/** The state of the board read model. */
export interface BoardViewState {
  readonly boards: { readonly [boardId: string]: BoardView }
  readonly cards: { readonly [cardId: string]: CardView }
}

const initial: BoardViewState = { boards: {}, cards: {} }

/** The board read model: boards with their columns and cards, as the Kanban UI renders them. */
export const boardView = defineProjection({
  name: 'boardView',
  version: 1,
  events: boardEvents,
  initial,
  on: {
    BoardCreated: (draft, e) => {
      draft.boards[e.boardId] = {
        id: e.boardId,
        name: e.name,
        columnOrder: e.columns.map((c) => c.columnId),
        columns: Object.fromEntries(e.columns.map((c) => [c.columnId, { id: c.columnId, name: c.name, wipLimit: c.wipLimit, done: c.done, cardIds: [] }])),
        archived: [],
      }
    },
    WipLimitSet: (draft, e) => {
      draft.boards[e.boardId]!.columns[e.columnId]!.wipLimit = e.limit
    },
    CardAdded: (draft, e, envelope) => {
      const at = envelope.meta.at
      draft.cards[e.cardId] = {
        id: e.cardId,
        boardId: e.boardId,
        title: e.title,
        description: e.description,
        columnId: e.columnId,
        assignee: null,
        archived: false,
        checklist: [],
        comments: [],
        createdAt: at,
        createdBy: e.by,
        updatedAt: at,
      }
      insertAt(draft.boards[e.boardId]!.columns[e.columnId]!.cardIds, e.cardId, e.position)
    },
    CardEdited: (draft, e, envelope) => {
      const card = draft.cards[e.cardId]!
      if (e.title !== undefined) card.title = e.title
      if (e.description !== undefined) card.description = e.description
      card.updatedAt = envelope.meta.at
    },
    CardMoved: (draft, e, envelope) => {
      const columns = draft.boards[e.boardId]!.columns
      removeFrom(columns[e.from]!.cardIds, e.cardId)
      insertAt(columns[e.to]!.cardIds, e.cardId, e.position)
      const card = draft.cards[e.cardId]!
      card.columnId = e.to
      card.updatedAt = envelope.meta.at
    },
    CardArchived: (draft, e, envelope) => {
      const board = draft.boards[e.boardId]!
      removeFrom(board.columns[e.columnId]!.cardIds, e.cardId)
      board.archived.unshift(e.cardId)
      const card = draft.cards[e.cardId]!
      card.archived = true
      card.updatedAt = envelope.meta.at
    },
    CardRestored: (draft, e, envelope) => {
      const board = draft.boards[e.boardId]!
      removeFrom(board.archived, e.cardId)
      insertAt(board.columns[e.columnId]!.cardIds, e.cardId, e.position)
      const card = draft.cards[e.cardId]!
      card.archived = false
      card.columnId = e.columnId
      card.updatedAt = envelope.meta.at
    },
    CardAssigned: (draft, e, envelope) => {
      const card = draft.cards[e.cardId]!
      card.assignee = e.assignee
      card.updatedAt = envelope.meta.at
    },
    CommentAdded: (draft, e, envelope) => {
      const card = draft.cards[e.cardId]!
      card.comments.push({ id: e.commentId, text: e.text, by: e.by, at: envelope.meta.at })
      card.updatedAt = envelope.meta.at
    },
    ChecklistItemAdded: (draft, e, envelope) => {
      const card = draft.cards[e.cardId]!
      card.checklist.push({ id: e.itemId, text: e.text, done: false })
      card.updatedAt = envelope.meta.at
    },
    ChecklistItemToggled: (draft, e, envelope) => {
      const card = draft.cards[e.cardId]!
      const item = card.checklist.find((i) => i.id === e.itemId)
      if (item) item.done = e.done
      card.updatedAt = envelope.meta.at
    },
  },
})

/** A board by id (undefined until it exists). */
export const boardById = defineQuery({ projection: boardView, select: (state, boardId: string): BoardView | undefined => state.boards[boardId] })

/** A card by id (undefined when there is none). */
export const cardById = defineQuery({ projection: boardView, select: (state, cardId: string): CardView | undefined => state.cards[cardId] })
