// The benchmark's domain: cards added to boards and moved between columns. Every scenario, and
// the raw IndexedDB baselines, write events of exactly this shape.
import * as v from 'valibot'
import { defineAggregate, defineCommand, defineEvent, defineProjection, RuleViolation, type CommandInput } from '@chronicle/core'

export const CardAdded = defineEvent('CardAdded', v.object({ cardId: v.string(), board: v.string(), column: v.string(), title: v.string() }))
export const CardMoved = defineEvent('CardMoved', v.object({ cardId: v.string(), board: v.string(), from: v.string(), to: v.string() }))

export const board = defineAggregate({
  name: 'board',
  events: [CardAdded, CardMoved],
  initial: () => ({ cards: {} as Record<string, string> }),
  evolve: {
    CardAdded: (draft, e) => {
      draft.cards[e.cardId] = e.column
    },
    CardMoved: (draft, e) => {
      draft.cards[e.cardId] = e.to
    },
  },
})

export const addCard = defineCommand({
  type: 'addCard',
  schema: v.object({ cardId: v.string(), board: v.string(), title: v.string() }),
  aggregate: board,
  stream: (cmd) => `board-${cmd.board}`,
  handle: (state, cmd) => {
    if (state.cards[cmd.cardId] !== undefined) throw new RuleViolation('card-exists', `Card ${cmd.cardId} exists`)
    return CardAdded({ cardId: cmd.cardId, board: cmd.board, column: 'todo', title: cmd.title })
  },
})

export const moveCard = defineCommand({
  type: 'moveCard',
  schema: v.object({ cardId: v.string(), board: v.string(), to: v.string() }),
  aggregate: board,
  stream: (cmd) => `board-${cmd.board}`,
  handle: (state, cmd) => {
    const from = state.cards[cmd.cardId]
    if (from === undefined) throw new RuleViolation('card-missing', `Card ${cmd.cardId} does not exist`)
    return CardMoved({ cardId: cmd.cardId, board: cmd.board, from, to: cmd.to })
  },
})

/** One card as the card index shows it. */
export interface CardView {
  title: string
  column: string
  board: string
}

/**
 * Every card by id, and how many there are: a read model that grows with the log. The cards sit
 * in a Map, as docs/concepts.md advises for a large keyed collection: every immutable update of the
 * collection copies it, and V8 copies a Map of 80,000 entries ~4x faster than a record of as many
 * keys.
 */
export const cardIndex = defineProjection({
  name: 'cardIndex',
  version: 1,
  events: [CardAdded, CardMoved],
  initial: { byId: new Map<string, CardView>(), count: 0 },
  on: {
    CardAdded: (draft, e) => {
      draft.byId.set(e.cardId, { title: e.title, column: e.column, board: e.board })
      draft.count++
    },
    CardMoved: (draft, e) => {
      const card = draft.byId.get(e.cardId)
      if (card) card.column = e.to
    },
  },
})

/**
 * The same cards in a plain record by id instead of a Map, the shape a normalized Redux store (an
 * entity adapter) keeps. Scenario 5 reports time travel over it beside the target's figure: every
 * jump copies all 80,000 keys, ~10-20 ms in this Chromium before anything is folded.
 */
export const recordCardIndex = defineProjection({
  name: 'recordCardIndex',
  version: 1,
  events: [CardAdded, CardMoved],
  initial: { byId: {} as Record<string, CardView>, count: 0 },
  on: {
    CardAdded: (draft, e) => {
      draft.byId[e.cardId] = { title: e.title, column: e.column, board: e.board }
      draft.count++
    },
    CardMoved: (draft, e) => {
      const card = draft.byId[e.cardId]
      if (card) card.column = e.to
    },
  },
})

/** Cards per column per board: a small read model. */
export const columnCounts = defineProjection({
  name: 'columnCounts',
  version: 1,
  events: [CardAdded, CardMoved],
  initial: {} as Record<string, Record<string, number>>,
  on: {
    CardAdded: (draft, e) => {
      const columns = (draft[e.board] ??= {})
      columns[e.column] = (columns[e.column] ?? 0) + 1
    },
    CardMoved: (draft, e) => {
      const columns = (draft[e.board] ??= {})
      columns[e.from] = (columns[e.from] ?? 0) - 1
      columns[e.to] = (columns[e.to] ?? 0) + 1
    },
  },
})

export const commands = [addCard, moveCard]
export const projections = [cardIndex, columnCounts]

/** How many boards (streams) the workload spreads over. */
export const boards = 100

/**
 * The i-th command of the workload (0-based): four of every five add a card, the fifth moves the
 * card added just before it, so the log holds both event types and streams of realistic length.
 */
export function commandAt(i: number): CommandInput {
  if (i % 5 === 4) return moveCard({ cardId: `c${i - 1}`, board: `b${(i - 1) % boards}`, to: 'done' })
  return addCard({ cardId: `c${i}`, board: `b${i % boards}`, title: `Card number ${i}` })
}

/** How many cards the first `n` commands of the workload add. */
export const cardsAfter = (n: number) => n - Math.floor(n / 5)
