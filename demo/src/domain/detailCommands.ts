import * as v from 'valibot'
import { RuleViolation } from '@chronicle/core'
import { defineBoardCommand, idSchema } from './boardCommand'
import { ChecklistItemAdded, ChecklistItemToggled, CommentAdded } from './events'
import { checkNotDone, requireActiveCard } from './rules'

/** Adds a comment to a card, signed by the person issuing the command. */
export const commentOnCard = defineBoardCommand({
  type: 'commentOnCard',
  entries: {
    cardId: idSchema,
    commentId: idSchema,
    text: v.pipe(v.string(), v.trim(), v.minLength(1, 'Write something first'), v.maxLength(2000, 'Keep comments under 2,000 characters')),
  },
  handle: (state, command, by) => {
    const card = requireActiveCard(state, command.cardId)
    if (card.comments[command.commentId]) throw new RuleViolation('comment-exists', `A comment with id "${command.commentId}" already exists.`)
    return CommentAdded({ boardId: command.boardId, by, cardId: command.cardId, commentId: command.commentId, text: command.text })
  },
})

/** Adds an open item to a card's checklist. */
export const addChecklistItem = defineBoardCommand({
  type: 'addChecklistItem',
  entries: {
    cardId: idSchema,
    itemId: idSchema,
    text: v.pipe(v.string(), v.trim(), v.minLength(1, 'Describe the checklist item'), v.maxLength(200, 'Keep checklist items under 200 characters')),
  },
  handle: (state, command, by) => {
    const card = requireActiveCard(state, command.cardId)
    if (command.itemId in card.checklist) throw new RuleViolation('item-exists', `A checklist item with id "${command.itemId}" already exists.`)
    checkNotDone(state, card)
    return ChecklistItemAdded({ boardId: command.boardId, by, cardId: command.cardId, itemId: command.itemId, text: command.text })
  },
})

/** Ticks a checklist item off (`done: true`) or reopens it. */
export const toggleChecklistItem = defineBoardCommand({
  type: 'toggleChecklistItem',
  entries: { cardId: idSchema, itemId: idSchema, done: v.boolean() },
  handle: (state, command, by) => {
    const card = requireActiveCard(state, command.cardId)
    const current = card.checklist[command.itemId]
    if (current === undefined) throw new RuleViolation('item-missing', 'That checklist item does not exist on this card.')
    if (current === command.done) return
    if (!command.done) checkNotDone(state, card)
    return ChecklistItemToggled({ boardId: command.boardId, by, cardId: command.cardId, itemId: command.itemId, done: command.done })
  },
})
