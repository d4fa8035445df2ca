import * as v from 'valibot'
import { defineCommand, type CommandContext, type HandleResult } from '@chronicle/core'
import { board, type BoardState } from './board'
import type { PersonId } from './people'
import { actorOf, isTeamMember, requireBoard } from './rules'

/** A non-empty id. */
export const idSchema = v.pipe(v.string(), v.minLength(1, 'An id is required'))

/** The stream that holds a board's events. */
export function boardStream(boardId: string): string {
  return `board-${boardId}`
}

type BoardPayload<Entries extends v.ObjectEntries> = v.InferOutput<v.ObjectSchema<{ boardId: typeof idSchema } & Entries, undefined>>

/**
 * Defines a command on an existing board: the payload is `{ boardId, ...entries }`, it runs on
 * the board's stream, only team members may issue it, and `handle` gets the acting person.
 */
export function defineBoardCommand<const Type extends string, Entries extends v.ObjectEntries>(definition: {
  type: Type
  entries: Entries
  /** Set for the one command that creates the board; every other command needs the board to exist. */
  creates?: boolean
  handle: (state: BoardState, command: BoardPayload<Entries>, actor: PersonId, context: CommandContext) => HandleResult<typeof board>
}) {
  return defineCommand({
    type: definition.type,
    schema: v.object({ boardId: idSchema, ...definition.entries }),
    aggregate: board,
    // Entries is generic here, so TypeScript cannot see that boardId stays a string.
    stream: (command) => boardStream((command as { boardId: string }).boardId),
    authorize: isTeamMember,
    handle: (state, command, context) => {
      if (!definition.creates) requireBoard(state, (command as { boardId: string }).boardId)
      return definition.handle(state, command as BoardPayload<Entries>, actorOf(context), context)
    },
  })
}
