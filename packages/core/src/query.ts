import type { AnyProjectionDefinition, ProjectionState } from './projection'
import type { Bivariant } from './types'

/** A parameterised, read-only view of a projection. */
export interface QueryDefinition<Projection extends AnyProjectionDefinition = AnyProjectionDefinition, Params = never, Result = unknown> {
  readonly kind: 'query'
  readonly projection: Projection
  readonly select: Bivariant<(state: ProjectionState<Projection>, params: Params) => Result>
}

/** Any query definition. */
export type AnyQueryDefinition = QueryDefinition<AnyProjectionDefinition, never, unknown>

/**
 * Defines a parameterised query over a projection. Selectors must be pure; return existing parts
 * of the state (not fresh objects) so unchanged results keep their identity.
 *
 * @example
 * const cardsInColumn = defineQuery({ projection: boardView, select: (s, column: string) => s.columns[column] ?? [] })
 * store.query(cardsInColumn, 'todo').subscribe(render)
 */
export function defineQuery<Projection extends AnyProjectionDefinition, Params, Result>(definition: {
  projection: Projection
  select: (state: ProjectionState<Projection>, params: Params) => Result
}): QueryDefinition<Projection, Params, Result> {
  return { kind: 'query', ...definition }
}
