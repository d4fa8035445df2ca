import { ConfigurationError } from './errors'
import type { Draft } from 'immer'
import type { AnyEventDefinition, EventEnvelope, PayloadOf } from './event'
import type { Bivariant } from './types'

/**
 * Handlers keyed by event type; each mutates the draft it is given (immer rules). The envelope has
 * no `seq`: a command's new state is decided before the log assigns positions.
 */
export type EvolveHandlers<State, Events extends AnyEventDefinition> = {
  readonly [T in Events['type']]?: Bivariant<
    (draft: Draft<State>, payload: PayloadOf<Extract<Events, { type: T }>>, envelope: Omit<EventEnvelope<T, PayloadOf<Extract<Events, { type: T }>>>, 'seq'>) => void
  >
}

/** A consistency boundary: the state one stream folds to, which command handlers decide on. */
export interface AggregateDefinition<Name extends string = string, State = unknown, Events extends AnyEventDefinition = AnyEventDefinition> {
  readonly kind: 'aggregate'
  readonly name: Name
  readonly events: readonly Events[]
  readonly initial: () => State
  readonly evolve: EvolveHandlers<State, Events>
}

/** Any aggregate definition. */
export type AnyAggregateDefinition = AggregateDefinition<string, unknown, AnyEventDefinition>

/** The state type of an aggregate. */
export type StateOf<A> = A extends AggregateDefinition<string, infer S, AnyEventDefinition> ? S : never

/** The event definitions an aggregate accepts. */
export type EventsOf<A> = A extends { readonly events: readonly (infer E)[] } ? E : never

/**
 * Defines an aggregate: the events its streams hold, the initial state and how each event
 * changes it. Handlers mutate the state they are given (the write model keeps one private state
 * per stream and applies each command's events to it in place); `handle` gets a read-only view.
 *
 * @example
 * const board = defineAggregate({
 *   name: 'board',
 *   events: [CardAdded, CardMoved],
 *   initial: () => ({ cards: {} as Record<string, { column: string }> }),
 *   evolve: {
 *     CardAdded: (draft, e) => { draft.cards[e.cardId] = { column: e.column } },
 *     CardMoved: (draft, e) => { draft.cards[e.cardId]!.column = e.to },
 *   },
 * })
 */
export function defineAggregate<const Name extends string, State, Events extends AnyEventDefinition>(definition: {
  name: Name
  events: readonly Events[]
  initial: () => State
  evolve: NoInfer<EvolveHandlers<State, Events>>
}): AggregateDefinition<Name, State, Events> {
  const known = new Set(definition.events.map((e) => e.type))
  for (const type of Object.keys(definition.evolve)) {
    if (!known.has(type)) {
      throw new ConfigurationError('invalid-definition', `defineAggregate('${definition.name}'): evolve.${type} handles an event that is not in events`)
    }
  }
  return { kind: 'aggregate', ...definition } as AggregateDefinition<Name, State, Events>
}
