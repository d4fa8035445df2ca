// A small Kanban domain shared by the core tests.
import * as v from 'valibot'
import { defineAggregate, defineCommand, defineEvent, defineProjection, RuleViolation } from '../index'

export const CardAdded = defineEvent('CardAdded', v.object({ cardId: v.string(), column: v.string(), title: v.pipe(v.string(), v.minLength(1)) }))
export const CardMoved = defineEvent('CardMoved', v.object({ cardId: v.string(), from: v.string(), to: v.string() }))
export const CardRenamed = defineEvent('CardRenamed', v.object({ cardId: v.string(), title: v.string() }))

export interface Card {
  column: string
  title: string
}

export const board = defineAggregate({
  name: 'board',
  events: [CardAdded, CardMoved, CardRenamed],
  initial: () => ({ cards: {} as Record<string, Card>, wipLimit: 3 }),
  evolve: {
    CardAdded: (draft, e) => {
      draft.cards[e.cardId] = { column: e.column, title: e.title }
    },
    CardMoved: (draft, e) => {
      draft.cards[e.cardId]!.column = e.to
    },
    CardRenamed: (draft, e) => {
      draft.cards[e.cardId]!.title = e.title
    },
  },
})

export const addCard = defineCommand({
  type: 'addCard',
  schema: v.object({ boardId: v.string(), cardId: v.string(), title: v.string() }),
  aggregate: board,
  stream: (cmd) => `board-${cmd.boardId}`,
  handle: (state, cmd) => {
    if (state.cards[cmd.cardId]) throw new RuleViolation('card-exists', `Card ${cmd.cardId} already exists`)
    return CardAdded({ cardId: cmd.cardId, column: 'todo', title: cmd.title })
  },
})

export const moveCard = defineCommand({
  type: 'moveCard',
  schema: v.object({ boardId: v.string(), cardId: v.string(), to: v.string() }),
  aggregate: board,
  stream: (cmd) => `board-${cmd.boardId}`,
  handle: (state, cmd) => {
    const card = state.cards[cmd.cardId]
    if (!card) throw new RuleViolation('card-missing', `Card ${cmd.cardId} does not exist`)
    if (card.column === cmd.to) return
    const inTarget = Object.values(state.cards).filter((c) => c.column === cmd.to).length
    if (inTarget >= state.wipLimit) throw new RuleViolation('wip-limit', `Column ${cmd.to} is at its WIP limit`)
    return [CardMoved({ cardId: cmd.cardId, from: card.column, to: cmd.to })]
  },
})

export const boardView = defineProjection({
  name: 'boardView',
  version: 1,
  events: [CardAdded, CardMoved],
  initial: { columns: {} as Record<string, string[]>, count: 0 },
  on: {
    CardAdded: (draft, e) => {
      ;(draft.columns[e.column] ??= []).push(e.cardId)
      draft.count++
    },
    CardMoved: (draft, e) => {
      draft.columns[e.from] = (draft.columns[e.from] ?? []).filter((id) => id !== e.cardId)
      ;(draft.columns[e.to] ??= []).push(e.cardId)
    },
  },
})

export const titles = defineProjection({
  name: 'titles',
  version: 1,
  events: [CardAdded, CardRenamed],
  initial: {} as Record<string, string>,
  on: {
    CardAdded: (draft, e) => {
      draft[e.cardId] = e.title
    },
    CardRenamed: (draft, e) => {
      draft[e.cardId] = e.title
    },
  },
})

/** Cards by id in a Map and the columns in use in a Set: read models may hold both. */
export const cardMap = defineProjection({
  name: 'cardMap',
  version: 1,
  events: [CardAdded, CardMoved],
  initial: { cards: new Map<string, { title: string; column: string }>(), columns: new Set<string>() },
  on: {
    CardAdded: (draft, e) => {
      draft.cards.set(e.cardId, { title: e.title, column: e.column })
      draft.columns.add(e.column)
    },
    CardMoved: (draft, e) => {
      const card = draft.cards.get(e.cardId)
      if (card) card.column = e.to
      draft.columns.add(e.to)
    },
  },
})

export const commands = [addCard, moveCard]

/** The `titles` projection with handlers that count their calls (replay-length checks). */
export function countedTitles(version = 1) {
  const calls = { n: 0 }
  const projection = defineProjection({
    name: 'titles',
    version,
    events: [CardAdded, CardRenamed],
    initial: {} as Record<string, string>,
    on: {
      CardAdded: (draft, e) => {
        calls.n++
        draft[e.cardId] = e.title
      },
    },
  })
  return { projection, calls }
}
