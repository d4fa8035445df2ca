import * as v from 'valibot'
import { RuleViolation } from '@chronicle/core'
import { defineBoardCommand, idSchema } from './boardCommand'
import { CardAdded, CardArchived, CardAssigned, CardEdited, CardMoved, CardRestored } from './events'
import { personIdSchema } from './people'
import { checkCanEnter, checkWipLimit, requireActiveCard, requireCard, requireColumn } from './rules'

/** A card title: trimmed, 1 to 200 characters. */
export const titleSchema = v.pipe(v.string(), v.trim(), v.minLength(1, 'Give the card a title'), v.maxLength(200, 'Keep the title under 200 characters'))
const descriptionSchema = v.pipe(v.string(), v.trim(), v.maxLength(5000, 'Keep the description under 5,000 characters'))
const positionSchema = v.pipe(v.number(), v.integer(), v.minValue(0))

/** Adds a card to a column (at the bottom unless `position` says otherwise); the column's WIP limit applies. */
export const addCard = defineBoardCommand({
  type: 'addCard',
  entries: { cardId: idSchema, columnId: idSchema, title: titleSchema, description: v.optional(descriptionSchema, ''), position: v.optional(positionSchema) },
  handle: (state, command, by) => {
    if (state.cards[command.cardId]) throw new RuleViolation('card-exists', `A card with id "${command.cardId}" already exists.`)
    const column = requireColumn(state, command.columnId)
    checkWipLimit(column, command.columnId)
    const position = Math.min(command.position ?? column.cards.length, column.cards.length)
    return CardAdded({ boardId: command.boardId, by, cardId: command.cardId, columnId: command.columnId, position, title: command.title, description: command.description })
  },
})

/** Changes a card's title and/or description; fields left out stay as they are. */
export const editCard = defineBoardCommand({
  type: 'editCard',
  entries: { cardId: idSchema, title: v.optional(titleSchema), description: v.optional(descriptionSchema) },
  handle: (state, command, by) => {
    const card = requireActiveCard(state, command.cardId)
    const title = command.title !== undefined && command.title !== card.title ? command.title : undefined
    const description = command.description !== undefined && command.description !== card.description ? command.description : undefined
    if (title === undefined && description === undefined) return
    return CardEdited({
      boardId: command.boardId,
      by,
      cardId: command.cardId,
      ...(title === undefined ? {} : { title }),
      ...(description === undefined ? {} : { description }),
    })
  },
})

/**
 * Moves a card to `position` (0 = top) of column `to`. Moving into another column respects its WIP
 * limit, and a Done column takes only cards whose checklist is complete.
 */
export const moveCard = defineBoardCommand({
  type: 'moveCard',
  entries: { cardId: idSchema, to: idSchema, position: positionSchema },
  handle: (state, command, by) => {
    const card = requireActiveCard(state, command.cardId)
    const target = requireColumn(state, command.to)
    const from = card.columnId
    if (from === command.to) {
      const position = Math.min(command.position, target.cards.length - 1)
      if (target.cards.indexOf(command.cardId) === position) return
      return CardMoved({ boardId: command.boardId, by, cardId: command.cardId, from, to: command.to, position })
    }
    checkCanEnter(card, command.cardId, target, command.to)
    return CardMoved({ boardId: command.boardId, by, cardId: command.cardId, from, to: command.to, position: Math.min(command.position, target.cards.length) })
  },
})

/** Takes a card off the board. Archiving an archived card changes nothing. */
export const archiveCard = defineBoardCommand({
  type: 'archiveCard',
  entries: { cardId: idSchema },
  handle: (state, command, by) => {
    const card = requireCard(state, command.cardId)
    if (card.archived) return
    return CardArchived({ boardId: command.boardId, by, cardId: command.cardId, columnId: card.columnId })
  },
})

/** Brings an archived card back to the bottom of the column it was archived from; that column's rules apply. */
export const restoreCard = defineBoardCommand({
  type: 'restoreCard',
  entries: { cardId: idSchema },
  handle: (state, command, by) => {
    const card = requireCard(state, command.cardId)
    if (!card.archived) return
    const column = requireColumn(state, card.columnId)
    checkCanEnter(card, command.cardId, column, card.columnId)
    return CardRestored({ boardId: command.boardId, by, cardId: command.cardId, columnId: card.columnId, position: column.cards.length })
  },
})

/** Gives a card to a team member, or to nobody (`assignee: null`). */
export const assignCard = defineBoardCommand({
  type: 'assignCard',
  entries: { cardId: idSchema, assignee: v.nullable(personIdSchema) },
  handle: (state, command, by) => {
    const card = requireActiveCard(state, command.cardId)
    if (card.assignee === command.assignee) return
    return CardAssigned({ boardId: command.boardId, by, cardId: command.cardId, assignee: command.assignee })
  },
})
