import { defineProjection, defineQuery } from '@chronicle/core'
import { boardEvents } from './events'

/** The key under which cards without an assignee are counted. */
export const unassigned = ''

/** A column's numbers. */
export interface ColumnStats {
  readonly id: string
  readonly name: string
  readonly done: boolean
  readonly wipLimit: number | null
  /** Cards on the board in this column (archived cards excluded). */
  readonly count: number
}

/** One card's trip to Done. */
export interface Completion {
  readonly cardId: string
  readonly title: string
  readonly completedAt: number
  readonly cycleTimeMs: number
}

/** The numbers of one board. */
export interface BoardStats {
  readonly columnOrder: readonly string[]
  readonly columns: { readonly [columnId: string]: ColumnStats }
  /** Cards on the board per assignee (`unassigned` for nobody), split into open and done. */
  readonly people: { readonly [personId: string]: { readonly open: number; readonly done: number } }
  /** Every completion, in the order they happened; a card reopened and finished again appears twice. */
  readonly completions: readonly Completion[]
}

interface TrackedCard {
  columnId: string
  assignee: string | null
  archived: boolean
  title: string
}

/** The state of the dashboard read model. */
export interface DashboardState {
  readonly boards: { readonly [boardId: string]: BoardStats }
  /** Where each card is, so every event can move its counts. */
  readonly cards: { readonly [cardId: string]: Readonly<TrackedCard> }
}

type MutableStats = { columnOrder: string[]; columns: Record<string, ColumnStats & { count: number }>; people: Record<string, { open: number; done: number }>; completions: Completion[] }

/** Adds (`sign` 1) or removes (`sign` -1) a card's contribution to the counts. */
function count(stats: MutableStats, card: TrackedCard, sign: 1 | -1): void {
  if (card.archived) return
  const column = stats.columns[card.columnId]
  if (!column) return
  column.count += sign
  const person = (stats.people[card.assignee ?? unassigned] ??= { open: 0, done: 0 })
  if (column.done) person.done += sign
  else person.open += sign
}

/** Takes a card out of the counts, changes it, and counts it again. */
function recount(draft: { boards: Record<string, MutableStats>; cards: Record<string, TrackedCard> }, e: { boardId: string; cardId: string }, change: (card: TrackedCard) => void): void {
  const stats = draft.boards[e.boardId]!
  const card = draft.cards[e.cardId]!
  count(stats, card, -1)
  change(card)
  count(stats, card, 1)
}

const initial: DashboardState = { boards: {}, cards: {} }

/**
 * The dashboard read model: cards per column and per person, and cycle times (recorded by the
 * cycle-time reaction when a card reaches Done).
 */
export const dashboard = defineProjection({
  name: 'dashboard',
  version: 1,
  events: boardEvents,
  initial,
  on: {
    BoardCreated: (draft, e) => {
      draft.boards[e.boardId] = {
        columnOrder: e.columns.map((c) => c.columnId),
        columns: Object.fromEntries(e.columns.map((c) => [c.columnId, { id: c.columnId, name: c.name, done: c.done, wipLimit: c.wipLimit, count: 0 }])),
        people: {},
        completions: [],
      }
    },
    WipLimitSet: (draft, e) => {
      draft.boards[e.boardId]!.columns[e.columnId]!.wipLimit = e.limit
    },
    CardAdded: (draft, e) => {
      const card = { columnId: e.columnId, assignee: null, archived: false, title: e.title }
      draft.cards[e.cardId] = card
      count(draft.boards[e.boardId]!, card, 1)
    },
    CardEdited: (draft, e) => {
      if (e.title !== undefined) draft.cards[e.cardId]!.title = e.title
    },
    CardMoved: (draft, e) => {
      recount(draft, e, (card) => {
        card.columnId = e.to
      })
    },
    CardArchived: (draft, e) => {
      recount(draft, e, (card) => {
        card.archived = true
      })
    },
    CardRestored: (draft, e) => {
      recount(draft, e, (card) => {
        card.archived = false
        card.columnId = e.columnId
      })
    },
    CardAssigned: (draft, e) => {
      recount(draft, e, (card) => {
        card.assignee = e.assignee
      })
    },
    CardCompleted: (draft, e) => {
      draft.boards[e.boardId]!.completions.push({ cardId: e.cardId, title: draft.cards[e.cardId]?.title ?? e.cardId, completedAt: e.completedAt, cycleTimeMs: e.cycleTimeMs })
    },
  },
})

/** One board's numbers (undefined until the board exists). */
export const boardStats = defineQuery({ projection: dashboard, select: (state, boardId: string): BoardStats | undefined => state.boards[boardId] })
