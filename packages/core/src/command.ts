import type { AnyAggregateDefinition, EventsOf, StateOf } from './aggregate'
import type { EventInputOf } from './event'
import type { StandardSchemaV1 } from './standardSchema'
import type { Bivariant, Principal } from './types'

/** What a command's `authorize` and `handle` know besides the payload. */
export interface CommandContext {
  /** Who issues the command (the store's `principal`; on the sync server, the authenticated one). */
  readonly principal: Principal
  readonly commandId: string
  /** When the command was issued (epoch ms). Use it instead of `Date.now()` so replays on the server agree. */
  readonly at: number
}

/** Per-dispatch options: ids for idempotency and causation, and the issue time. */
export interface CommandOptions {
  /**
   * A stable id makes the command idempotent: a second dispatch with the same id writes nothing
   * and answers `duplicate: true`. Only commands dispatched with an explicit id are recognised
   * again; without one the command gets a generated id that is not.
   */
  readonly commandId?: string
  readonly causationId?: string
  readonly correlationId?: string
  readonly at?: number
}

/** A command ready to dispatch: what `addCard({...})` returns. */
export interface CommandInput<Type extends string = string> {
  readonly type: Type
  readonly payload: unknown
  readonly options: CommandOptions
}

/** What a handler may return: one event, several, or nothing (the command changes nothing). */
export type HandleResult<A> = EventInputOf<EventsOf<A>> | readonly EventInputOf<EventsOf<A>>[] | void

/** A command type: call it with a payload to get a `CommandInput` for `store.dispatch`. */
export interface CommandDefinition<
  Type extends string = string,
  Input = never,
  Value = unknown,
  Aggregate extends AnyAggregateDefinition = AnyAggregateDefinition,
> {
  (payload: Input, options?: CommandOptions): CommandInput<Type>
  readonly kind: 'command'
  readonly type: Type
  readonly schema: StandardSchemaV1<unknown, Value>
  readonly aggregate: Aggregate
  readonly stream: Bivariant<(command: Value) => string>
  readonly authorize?: Bivariant<(command: Value, context: CommandContext) => boolean | Promise<boolean>> | undefined
  readonly handle: Bivariant<(state: StateOf<Aggregate>, command: Value, context: CommandContext) => HandleResult<Aggregate>>
}

/** Any command definition. */
export type AnyCommandDefinition = CommandDefinition<string, never, unknown, AnyAggregateDefinition>

/**
 * Defines a command: its payload schema, the aggregate and stream it decides on, who may issue it,
 * and the business rules that turn it into events. `handle` is pure and synchronous: it reads the
 * stream's state, throws `RuleViolation` to refuse, and returns events. The same definition runs
 * in the browser and on the sync server.
 *
 * @example
 * const addCard = defineCommand({
 *   type: 'addCard',
 *   schema: v.object({ boardId: v.string(), cardId: v.string(), title: v.string() }),
 *   aggregate: board,
 *   stream: (cmd) => `board-${cmd.boardId}`,
 *   handle: (state, cmd) => {
 *     if (state.cards[cmd.cardId]) throw new RuleViolation('card-exists', `Card ${cmd.cardId} exists`)
 *     return CardAdded({ cardId: cmd.cardId, column: 'todo', title: cmd.title })
 *   },
 * })
 * await store.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 'Write docs' }))
 */
export function defineCommand<
  const Type extends string,
  Schema extends StandardSchemaV1,
  Aggregate extends AnyAggregateDefinition,
>(definition: {
  type: Type
  schema: Schema
  aggregate: Aggregate
  stream: (command: StandardSchemaV1.InferOutput<Schema>) => string
  authorize?: (command: StandardSchemaV1.InferOutput<Schema>, context: CommandContext) => boolean | Promise<boolean>
  handle: (
    state: StateOf<Aggregate>,
    command: StandardSchemaV1.InferOutput<Schema>,
    context: CommandContext,
  ) => HandleResult<Aggregate>
}): CommandDefinition<Type, StandardSchemaV1.InferInput<Schema>, StandardSchemaV1.InferOutput<Schema>, Aggregate> {
  const { type } = definition
  const create = (payload: StandardSchemaV1.InferInput<Schema>, options: CommandOptions = {}): CommandInput<Type> => ({
    type,
    payload,
    options,
  })
  return Object.assign(create, {
    kind: 'command' as const,
    type,
    schema: definition.schema as StandardSchemaV1<unknown, StandardSchemaV1.InferOutput<Schema>>,
    aggregate: definition.aggregate,
    stream: definition.stream,
    authorize: definition.authorize,
    handle: definition.handle,
  })
}
