import { ConfigurationError } from './errors'
import type { CommandInput } from './command'
import type { AnyEventDefinition, EventEnvelope, PayloadOf } from './event'
import { createReactions, type ReactionContext } from './reactionRunner'
import type { Bivariant } from './types'

export type { ReactionContext }

/** What a reaction handler returns: follow-up commands, or nothing. */
export type ReactionResult = CommandInput | readonly CommandInput[] | void

/** Handlers keyed by event type. */
export type ReactionHandlers<Events extends AnyEventDefinition> = {
  readonly [T in Events['type']]?: Bivariant<(event: EventEnvelope<T, PayloadOf<Extract<Events, { type: T }>>>, context: ReactionContext) => ReactionResult>
}

/** An event-driven workflow (process manager): events in, commands out. */
export interface ReactionDefinition<Name extends string = string, Events extends AnyEventDefinition = AnyEventDefinition> {
  readonly kind: 'reaction'
  readonly name: Name
  readonly events: readonly Events[]
  readonly on: ReactionHandlers<Events>
}

/** Any reaction definition. */
export type AnyReactionDefinition = ReactionDefinition<string, AnyEventDefinition>

/**
 * Where `defineReaction` puts the code that runs reactions, which the store takes from there: a
 * store without reactions does not bundle it.
 */
const runner = Symbol('chronicle.reactions')

/**
 * Defines a reaction: after events commit, it dispatches follow-up commands. Each follow-up's
 * commandId is derived from the reaction's name and the triggering event's id, so however often
 * the reaction runs (retries, a second tab), the command executes once; its events carry the
 * trigger as causation. Reactions run for live events only, never during replay or time travel.
 *
 * @example
 * const cycleTime = defineReaction({
 *   name: 'cycleTime',
 *   events: [CardMoved],
 *   on: {
 *     CardMoved: (event, ctx) => {
 *       if (event.payload.to !== 'done') return
 *       ctx.effect(() => notify(`Card ${event.payload.cardId} is done`))
 *       return recordCycleTime({ cardId: event.payload.cardId, doneAt: event.meta.at })
 *     },
 *   },
 * })
 */
export function defineReaction<const Name extends string, Events extends AnyEventDefinition>(definition: {
  name: Name
  events: readonly Events[]
  on: NoInfer<ReactionHandlers<Events>>
}): ReactionDefinition<Name, Events> {
  const known = new Set(definition.events.map((e) => e.type))
  for (const type of Object.keys(definition.on)) {
    if (!known.has(type)) throw new ConfigurationError('invalid-definition', `defineReaction('${definition.name}'): on.${type} handles an event that is not in events`)
  }
  const reaction = { kind: 'reaction' as const, ...definition, [runner]: createReactions }
  return reaction
}

/** The code that runs `definitions`, as `defineReaction` left it on them; throws when one was made otherwise. */
export function reactionRunner(definitions: readonly AnyReactionDefinition[]): typeof createReactions {
  let run: typeof createReactions | undefined
  for (const definition of definitions) {
    run = (definition as { [runner]?: typeof createReactions })[runner]
    if (typeof run !== 'function') throw new ConfigurationError('invalid-definition', `createStore({ reactions }): reaction "${definition.name}" was not made by defineReaction(); define it with defineReaction({ name, events, on }).`)
  }
  return run!
}
