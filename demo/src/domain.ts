import * as v from 'valibot'
import { defineAggregate, defineCommand, defineEvent, defineProjection, RuleViolation } from '@chronicle/core'

export const CardAdded = defineEvent('CardAdded', v.object({ cardId: v.string(), title: v.pipe(v.string(), v.minLength(1)) }))

export const board = defineAggregate({
  name: 'board',
  events: [CardAdded],
  initial: () => ({ cards: {} as Record<string, true> }),
  evolve: {
    CardAdded: (draft, e) => {
      draft.cards[e.cardId] = true
    },
  },
})

export const addCard = defineCommand({
  type: 'addCard',
  schema: v.object({ cardId: v.string(), title: v.pipe(v.string(), v.trim(), v.minLength(1, 'Give the card a title')) }),
  aggregate: board,
  stream: () => 'board',
  handle: (state, cmd) => {
    if (state.cards[cmd.cardId]) throw new RuleViolation('card-exists', `Card ${cmd.cardId} already exists`)
    return CardAdded({ cardId: cmd.cardId, title: cmd.title })
  },
})

export const cardList = defineProjection({
  name: 'cardList',
  version: 1,
  events: [CardAdded],
  initial: { cards: [] as { id: string; title: string }[] },
  on: {
    CardAdded: (draft, e) => {
      draft.cards.push({ id: e.cardId, title: e.title })
    },
  },
})
