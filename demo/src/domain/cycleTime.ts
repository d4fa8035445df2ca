import * as v from 'valibot'
import { defineReaction } from '@chronicle/core'
import { defineBoardCommand, idSchema } from './boardCommand'
import { boardView } from './boardView'
import { CardCompleted, CardMoved } from './events'
import { requireCard } from './rules'

/**
 * Records that a card reached Done at `completedAt`, with its cycle time: from when work on it
 * started (its first move past the first column) or, if it skipped that, from its creation.
 */
export const recordCompletion = defineBoardCommand({
  type: 'recordCompletion',
  entries: { cardId: idSchema, completedAt: v.number() },
  handle: (state, command) => {
    const card = requireCard(state, command.cardId)
    const startedAt = card.startedAt ?? card.createdAt
    return CardCompleted({
      boardId: command.boardId,
      cardId: command.cardId,
      startedAt,
      completedAt: command.completedAt,
      cycleTimeMs: Math.max(0, command.completedAt - startedAt),
    })
  },
})

/**
 * When a card moves into a Done column, record its completion. The reaction's command id derives
 * from the move event, so a retry or a second tab records it once.
 */
export const cycleTime = defineReaction({
  name: 'cycleTime',
  events: [CardMoved],
  on: {
    CardMoved: (event, context) => {
      const { boardId, cardId, from, to } = event.payload
      if (from === to) return
      const column = context.read(boardView).boards[boardId]?.columns[to]
      if (!column?.done) return
      return recordCompletion({ boardId, cardId, completedAt: event.meta.at })
    },
  },
})
