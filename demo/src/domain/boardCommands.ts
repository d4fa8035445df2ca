import * as v from 'valibot'
import { RuleViolation } from '@chronicle/core'
import { defineBoardCommand, idSchema } from './boardCommand'
import { BoardCreated, WipLimitSet } from './events'
import { requireColumn } from './rules'

const wipLimitSchema = v.nullable(
  v.pipe(v.number('The WIP limit must be a number'), v.integer('The WIP limit must be a whole number'), v.minValue(1, 'The WIP limit must be at least 1'), v.maxValue(99, 'The WIP limit must be at most 99')),
)

/** Creates a board with its columns. Exactly one column is usually marked `done`. */
export const createBoard = defineBoardCommand({
  type: 'createBoard',
  creates: true,
  entries: {
    name: v.pipe(v.string(), v.trim(), v.minLength(1, 'Give the board a name')),
    columns: v.pipe(
      v.array(v.object({ columnId: idSchema, name: v.pipe(v.string(), v.trim(), v.minLength(1, 'Give every column a name')), wipLimit: v.optional(wipLimitSchema, null), done: v.optional(v.boolean(), false) })),
      v.minLength(1, 'A board needs at least one column'),
    ),
  },
  handle: (state, command, by) => {
    if (state.created) throw new RuleViolation('board-exists', `Board "${command.boardId}" already exists.`)
    const ids = new Set(command.columns.map((c) => c.columnId))
    if (ids.size !== command.columns.length) throw new RuleViolation('duplicate-column', 'Two columns have the same id; give each column its own.')
    return BoardCreated({ boardId: command.boardId, by, name: command.name, columns: command.columns })
  },
})

/** Sets (or clears, with `null`) a column's work-in-progress limit. */
export const setWipLimit = defineBoardCommand({
  type: 'setWipLimit',
  entries: { columnId: idSchema, limit: wipLimitSchema },
  handle: (state, command, by) => {
    const column = requireColumn(state, command.columnId)
    if (column.wipLimit === command.limit) return
    if (column.done && command.limit !== null) {
      throw new RuleViolation('done-limit', `“${column.name}” collects finished work; it cannot have a WIP limit.`)
    }
    if (command.limit !== null && column.cards.length > command.limit) {
      throw new RuleViolation(
        'limit-below-count',
        `“${column.name}” holds ${column.cards.length} cards; a limit of ${command.limit} would already be broken. Move cards out first or pick at least ${column.cards.length}.`,
        { columnId: command.columnId },
      )
    }
    return WipLimitSet({ boardId: command.boardId, by, columnId: command.columnId, limit: command.limit })
  },
})
