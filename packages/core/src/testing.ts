import type { CommandContext, CommandDefinition } from './command'
import type { AnyAggregateDefinition } from './aggregate'
import { ChronicleError, isChronicleError, type ChronicleErrorName } from './errors'
import type { EventInput } from './event'
import { admitCommand, decide, foldAggregate, streamOf } from './decide'
import type { Principal } from './types'

/** The result of `given(...).when(...)`: the events the command decided, or its error. */
export interface ScenarioOutcome {
  readonly events: readonly EventInput[]
  readonly error: ChronicleError | undefined
  /** Throws unless the command succeeded with exactly these events (deep equality, in order). */
  expectEvents(expected: readonly EventInput[]): void
  /** Throws unless the command failed with this error class (and code, when given). */
  expectError(name: ChronicleErrorName, code?: string): void
}

/** A scenario with its history set; `when` runs a command against it. */
export interface Scenario {
  when<Input>(
    command: CommandDefinition<string, Input, unknown, AnyAggregateDefinition>,
    payload: Input,
    options?: { principal?: Principal; at?: number; commandId?: string },
  ): Promise<ScenarioOutcome>
}

/**
 * Given/when/then for testing a domain without a store or IndexedDB: the same validation,
 * authorization, folding and handler checks as `dispatch`.
 *
 * @example
 * const outcome = await given(CardAdded({ cardId: 'c1', column: 'todo', title: 'a' })).when(addCard, { boardId: 'b1', cardId: 'c1', title: 'again' })
 * outcome.expectError('RuleViolation', 'card-exists')
 */
export function given(...history: readonly EventInput[]): Scenario {
  return {
    async when(command, payload, options = {}) {
      const context: CommandContext = { principal: options.principal as Principal, commandId: options.commandId ?? 'scenario', at: options.at ?? 0 }
      let events: EventInput[] = []
      let error: ChronicleError | undefined
      try {
        const value = await admitCommand(command, payload, context)
        const stream = streamOf(command, value)
        const state = foldAggregate(
          command.aggregate,
          history.map((e, i) => ({ id: `given-${i}`, stream, version: i + 1, type: e.type, schemaVersion: 1, payload: e.payload, meta: { commandId: 'given', causationId: 'given', correlationId: 'given', at: 0, origin: 'given' } })),
        )
        const meta = { commandId: context.commandId, causationId: context.commandId, correlationId: context.commandId, at: context.at, origin: 'given' }
        const decided = await decide({ definition: command, stream, value, context, meta }, { state, version: history.length, commands: [] })
        events = decided.map(({ type, payload }) => ({ type, payload }))
      } catch (caught) {
        if (!(caught instanceof ChronicleError)) throw caught
        error = caught
      }
      return {
        events,
        error,
        expectEvents(expected) {
          if (error) throw new Error(`Expected events, but ${command.type} failed with ${error.name} (${error.code}): ${error.message}`)
          const actual = JSON.stringify(events)
          if (actual !== JSON.stringify(expected)) {
            throw new Error(`${command.type} decided other events.\n  expected: ${JSON.stringify(expected)}\n  actual:   ${actual}`)
          }
        },
        expectError(name, code) {
          if (!error) throw new Error(`Expected ${name}${code ? ` (${code})` : ''}, but ${command.type} succeeded with ${JSON.stringify(events)}`)
          if (!isChronicleError(error, name) || (code !== undefined && error.code !== code)) {
            throw new Error(`Expected ${name}${code ? ` (${code})` : ''}, but ${command.type} failed with ${error.name} (${error.code}): ${error.message}`)
          }
        },
      }
    },
  }
}
