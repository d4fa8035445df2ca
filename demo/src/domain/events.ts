import * as v from 'valibot'
import { defineEvent } from '@chronicle/core'

// The facts of the Kanban domain. Every event that a person causes carries `by` (who), because the
// audit trail is built from the log alone; `meta.at` (when) comes with the envelope.

const id = v.pipe(v.string(), v.minLength(1))
const wipLimit = v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1)))

/** An event of the board stream: its own fields plus the board and the person who caused it. */
function defineBoardEvent<const Type extends string, Entries extends v.ObjectEntries>(type: Type, entries: Entries) {
  return defineEvent(type, v.object({ boardId: id, by: id, ...entries }))
}

/** A board was created with its columns, in order. */
export const BoardCreated = defineBoardEvent('BoardCreated', {
  name: v.string(),
  columns: v.array(v.object({ columnId: id, name: v.string(), wipLimit, done: v.boolean() })),
})

/** A column's work-in-progress limit changed (`null`: no limit). */
export const WipLimitSet = defineBoardEvent('WipLimitSet', { columnId: id, limit: wipLimit })

/** A card was added to a column at a position (0 = top). */
export const CardAdded = defineBoardEvent('CardAdded', { cardId: id, columnId: id, position: v.number(), title: v.string(), description: v.string() })

/** A card's title and/or description changed; only the changed fields are present. */
export const CardEdited = defineBoardEvent('CardEdited', { cardId: id, title: v.optional(v.string()), description: v.optional(v.string()) })

/** A card moved to `position` (its index after the move) of column `to`; `from` may equal `to` (a reorder). */
export const CardMoved = defineBoardEvent('CardMoved', { cardId: id, from: id, to: id, position: v.number() })

/** A card left the board; it keeps its history and can be restored. */
export const CardArchived = defineBoardEvent('CardArchived', { cardId: id, columnId: id })

/** An archived card came back to a column. */
export const CardRestored = defineBoardEvent('CardRestored', { cardId: id, columnId: id, position: v.number() })

/** A card was given to someone (`null`: nobody). */
export const CardAssigned = defineBoardEvent('CardAssigned', { cardId: id, assignee: v.nullable(id) })

/** Someone commented on a card. */
export const CommentAdded = defineBoardEvent('CommentAdded', { cardId: id, commentId: id, text: v.string() })

/** A checklist item was added to a card. */
export const ChecklistItemAdded = defineBoardEvent('ChecklistItemAdded', { cardId: id, itemId: id, text: v.string() })

/** A checklist item was ticked off (`done: true`) or reopened. */
export const ChecklistItemToggled = defineBoardEvent('ChecklistItemToggled', { cardId: id, itemId: id, done: v.boolean() })

/**
 * A card reached a Done column. Recorded by the cycle-time reaction, not by a person: `startedAt`
 * is when work on it started (or when it was created, if it skipped the started columns).
 */
export const CardCompleted = defineEvent(
  'CardCompleted',
  v.object({ boardId: id, cardId: id, startedAt: v.number(), completedAt: v.number(), cycleTimeMs: v.number() }),
)

/** Every event of the board stream. */
export const boardEvents = [
  BoardCreated,
  WipLimitSet,
  CardAdded,
  CardEdited,
  CardMoved,
  CardArchived,
  CardRestored,
  CardAssigned,
  CommentAdded,
  ChecklistItemAdded,
  ChecklistItemToggled,
  CardCompleted,
] as const
