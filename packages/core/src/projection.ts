import { ConfigurationError } from './errors'
import type { Draft } from 'immer'
import type { AnyEventDefinition, EventEnvelope, PayloadOf } from './event'
import type { Bivariant } from './types'

/** Handlers keyed by event type: each mutates the read model's draft. */
export type ProjectionHandlers<State, Events extends AnyEventDefinition> = {
  readonly [T in Events['type']]?: Bivariant<
    (draft: Draft<State>, payload: PayloadOf<Extract<Events, { type: T }>>, envelope: EventEnvelope<T, PayloadOf<Extract<Events, { type: T }>>>) => void
  >
}

/** A read model: a pure fold of the log. */
export interface ProjectionDefinition<Name extends string = string, State = unknown, Events extends AnyEventDefinition = AnyEventDefinition> {
  readonly kind: 'projection'
  readonly name: Name
  /** Bump it when the handlers change: the store then rebuilds this read model from the log. */
  readonly version: number
  readonly events: readonly Events[]
  /** The state before any event; plain data (it is structured-cloned, never mutated). */
  readonly initial: State
  readonly on: ProjectionHandlers<State, Events>
}

/** Any projection definition. */
export type AnyProjectionDefinition = ProjectionDefinition<string, unknown, AnyEventDefinition>

/** The state type of a projection. */
export type ProjectionState<P> = P extends ProjectionDefinition<string, infer S, AnyEventDefinition> ? S : never

/**
 * Defines a read model: initial state plus a handler per event type it cares about. Handlers
 * mutate an immer draft during live updates and a private plain copy during replay, so they must
 * only mutate (not return a new state) and must not keep references to the draft.
 *
 * @example
 * const boardView = defineProjection({
 *   name: 'boardView',
 *   version: 1,
 *   events: [CardAdded],
 *   initial: { columns: {} as Record<string, string[]> },
 *   on: { CardAdded: (draft, e) => { (draft.columns[e.column] ??= []).push(e.cardId) } },
 * })
 */
export function defineProjection<const Name extends string, State, Events extends AnyEventDefinition>(definition: {
  name: Name
  version: number
  events: readonly Events[]
  initial: State
  on: NoInfer<ProjectionHandlers<State, Events>>
}): ProjectionDefinition<Name, State, Events> {
  if (!Number.isInteger(definition.version) || definition.version < 1) {
    throw new ConfigurationError('invalid-definition', `defineProjection('${definition.name}'): version must be a whole number >= 1`)
  }
  const known = new Set(definition.events.map((e) => e.type))
  for (const type of Object.keys(definition.on)) {
    if (!known.has(type)) throw new ConfigurationError('invalid-definition', `defineProjection('${definition.name}'): on.${type} handles an event that is not in events`)
  }
  return { kind: 'projection', ...definition } as ProjectionDefinition<Name, State, Events>
}
