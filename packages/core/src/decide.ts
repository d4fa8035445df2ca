import type { AnyAggregateDefinition } from './aggregate'
import { envelopeLimits } from './envelope'
import type { AnyCommandDefinition, CommandContext } from './command'
import { ChronicleError, HandlerError, Unauthorized, ValidationError } from './errors'
import type { AnyEventDefinition, EventEnvelope, EventInput, EventMeta } from './event'
import { newId } from './ids'
import { validateSchema } from './standardSchema'
import { decideHistory, type StreamCommand } from './undoEvents'

/** An event decided by a handler, with its payload validated, before the log gives it a position. */
export type DecidedEvent = Omit<EventEnvelope, 'seq'>

/**
 * Validates a command's payload and runs its `authorize` check. Resolves with the validated
 * value; rejects with ValidationError or Unauthorized. The same code runs in the browser and on the
 * sync server.
 */
export async function admitCommand(definition: AnyCommandDefinition, payload: unknown, context: CommandContext): Promise<unknown> {
  const checked = await validateSchema(definition.schema, payload)
  if (!checked.ok) {
    const summary = checked.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')
    throw new ValidationError('invalid-command', `Command ${definition.type} has an invalid payload: ${summary}`, checked.issues)
  }
  if (definition.authorize) {
    let allowed: boolean
    try {
      allowed = await definition.authorize(checked.value, context)
    } catch (error) {
      if (error instanceof ChronicleError) throw error
      throw new HandlerError('authorize-failed', `authorize of ${definition.type} threw: ${String(error)}`, { cause: error })
    }
    if (allowed !== true) {
      throw new Unauthorized('forbidden', `The current principal may not run ${definition.type}.`)
    }
  }
  return checked.value
}

/** The stream a command writes to; a `stream` function that throws or returns a non-string is a HandlerError. */
export function streamOf(definition: AnyCommandDefinition, value: unknown): string {
  let stream: unknown
  try {
    stream = definition.stream(value)
  } catch (error) {
    throw new HandlerError('stream-failed', `stream() of ${definition.type} threw: ${String(error)}`, { cause: error })
  }
  if (typeof stream !== 'string' || stream.length === 0 || stream.length > envelopeLimits.streamLength) {
    const shown = typeof stream === 'string' && stream.length > 60 ? `a string of ${stream.length} characters` : JSON.stringify(stream)
    throw new HandlerError('invalid-stream', `stream() of ${definition.type} must return a string of 1 to ${envelopeLimits.streamLength} characters, got ${shown}`)
  }
  return stream
}

const eventTypesCache = new WeakMap<AnyAggregateDefinition, Map<string, AnyEventDefinition>>()
function eventTypes(aggregate: AnyAggregateDefinition): Map<string, AnyEventDefinition> {
  let map = eventTypesCache.get(aggregate)
  if (!map) {
    map = new Map(aggregate.events.map((e) => [e.type, e]))
    eventTypesCache.set(aggregate, map)
  }
  return map
}

/**
 * Runs a command's `handle` on a state and checks what it returned: every event must be one of
 * the aggregate's event types with a payload its schema accepts. Domain errors pass through; any
 * other throw or bad return value becomes a HandlerError. Returns the validated inputs.
 */
export function decideEvents(
  definition: AnyCommandDefinition,
  state: unknown,
  value: unknown,
  context: CommandContext,
): EventInput[] | Promise<EventInput[]> {
  let result: unknown
  try {
    result = definition.handle(readonlyView(state), value, context)
  } catch (error) {
    if (error instanceof ChronicleError) throw error
    throw new HandlerError('handler-threw', `handle of ${definition.type} threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  if (result instanceof Promise) {
    void result.catch(() => undefined)
    throw new HandlerError('async-handler', `handle of ${definition.type} returned a promise; handlers must be synchronous (load data before dispatching)`)
  }
  const inputs: unknown[] = result === undefined ? [] : Array.isArray(result) ? result : [result]
  const known = eventTypes(definition.aggregate)
  const validated: (EventInput | Promise<EventInput>)[] = inputs.map((input, index) => {
    const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined
    const eventDefinition = typeof type === 'string' ? known.get(type) : undefined
    if (!eventDefinition) {
      throw new HandlerError(
        'invalid-event',
        `handle of ${definition.type} returned ${describe(input)} at index ${index}; return events of aggregate ${definition.aggregate.name} (${[...known.keys()].join(', ')})`,
      )
    }
    const check = (outcome: Awaited<ReturnType<typeof validateSchema>>): EventInput => {
      if (!outcome.ok) {
        throw new HandlerError('invalid-event', `handle of ${definition.type} returned a ${eventDefinition.type} event with an invalid payload`, { issues: outcome.issues })
      }
      return { type: eventDefinition.type, payload: outcome.value }
    }
    const outcome = validateSchema(eventDefinition.schema, (input as EventInput).payload)
    return outcome instanceof Promise ? outcome.then(check) : check(outcome)
  })
  return validated.some((v) => v instanceof Promise) ? Promise.all(validated) : (validated as EventInput[])
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value !== 'object') return typeof value
  const type = (value as { type?: unknown }).type
  return typeof type === 'string' ? `an unknown event type "${type}"` : 'an object that is not an event'
}

/** The schema version an aggregate's event type is written with. */
export function schemaVersionOf(aggregate: AnyAggregateDefinition, type: string): number {
  return eventTypes(aggregate).get(type)?.schemaVersion ?? 1
}

/**
 * The envelopes (all but `seq`) of the events a command decided on its stream, which was at
 * `version`: they take the versions after it, in order. An undo or redo (`history`) writes a
 * system event, at schema version 1. `ids` gives the events' ids (default: new ones).
 */
export function envelopesOf(
  inputs: readonly EventInput[],
  command: { readonly aggregate: AnyAggregateDefinition; readonly stream: string; readonly version: number; readonly history: boolean; readonly meta: EventMeta },
  ids: (index: number) => string = newId,
): DecidedEvent[] {
  return inputs.map((input, i) => ({
    id: ids(i),
    stream: command.stream,
    version: command.version + i + 1,
    type: input.type,
    schemaVersion: command.history ? 1 : schemaVersionOf(command.aggregate, input.type),
    payload: input.payload,
    meta: { ...command.meta },
  }))
}

/** A stream as a command is decided on it. */
export interface StreamView {
  /** The aggregate state (the decision only reads it). */
  readonly state: unknown
  /** The stream's version: the events decided take the versions after it. */
  readonly version: number
  /** The commands that wrote the stream, with their undo state: what an undo or redo decides on. */
  readonly commands: readonly StreamCommand[]
}

/** One command to decide on a stream: everything but the stream's state. */
export interface Decision {
  readonly definition: AnyCommandDefinition
  readonly stream: string
  /** The validated payload (unused by an undo or redo). */
  readonly value: unknown
  readonly context: CommandContext
  /** The meta every event of the command carries. */
  readonly meta: EventMeta
  /** Set for an undo or redo: the command decides an Undone/Redone event instead of running `handle`. */
  readonly history?: { readonly kind: 'undo' | 'redo'; readonly target: string } | undefined
  /** The events' ids (default: new ones); a rebase keeps a provisional event's id. */
  readonly ids?: (index: number) => string
}

/**
 * The decide step, the one place a command becomes events: runs the command's `handle` on the
 * stream's state (or, for an undo or redo, checks the stream's commands), validates what it
 * returned and numbers the events after the stream's version. It changes nothing: the dispatcher,
 * the sync outbox's rebase, the sync server (through the dispatcher) and `given()` all decide
 * with it and apply the events themselves. Throws the command's domain error (RuleViolation,
 * UndoConflict) or a HandlerError; a promise only when an event schema validates asynchronously.
 */
export function decide(decision: Decision, stream: StreamView): DecidedEvent[] | Promise<DecidedEvent[]> {
  const envelopes = (inputs: readonly EventInput[]) =>
    envelopesOf(
      inputs,
      { aggregate: decision.definition.aggregate, stream: decision.stream, version: stream.version, history: decision.history !== undefined, meta: decision.meta },
      decision.ids,
    )
  if (decision.history) return envelopes([decideHistory(stream.commands, decision.history.kind, decision.history.target)])
  const inputs = decideEvents(decision.definition, stream.state, decision.value, decision.context)
  return inputs instanceof Promise ? inputs.then(envelopes) : envelopes(inputs)
}

/**
 * Applies events to an aggregate state in place. Aggregate states belong to the write model alone
 * (React never sees them), so they need no structural sharing: mutating costs O(1) per event
 * where an immer draft over a large record costs O(size) per command.
 */
export function applyToAggregate(aggregate: AnyAggregateDefinition, state: unknown, events: readonly DecidedEvent[]): void {
  const handlers = aggregate.evolve as Record<string, ((draft: unknown, payload: unknown, envelope: DecidedEvent) => void) | undefined>
  for (const event of events) handlers[event.type]?.(state, event.payload, event)
}

/** Folds a stream from the aggregate's initial state. */
export function foldAggregate(aggregate: AnyAggregateDefinition, events: readonly DecidedEvent[]): unknown {
  const state = aggregate.initial()
  applyToAggregate(aggregate, state, events)
  return state
}

const views = new WeakMap<object, object>()
const refuse = (): never => {
  throw new TypeError('A command handler changed the state it was given; handlers must return events and leave the state alone')
}
const mutators = new Set<PropertyKey>(['set', 'add', 'delete', 'clear'])
const viewHandler: ProxyHandler<object> = {
  get(target, key) {
    const value: unknown = Reflect.get(target, key, target)
    if (typeof value === 'function' && (target instanceof Map || target instanceof Set || target instanceof Date)) {
      if (mutators.has(key) || (target instanceof Date && typeof key === 'string' && key.startsWith('set'))) return refuse
      return (value as (...args: unknown[]) => unknown).bind(target)
    }
    return readonlyView(value)
  },
  set: refuse,
  deleteProperty: refuse,
  defineProperty: refuse,
  setPrototypeOf: refuse,
}

/** A deep read-only view of a state, made lazily and cached: what command handlers receive. */
export function readonlyView<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value
  let view = views.get(value)
  if (!view) {
    view = new Proxy(value, viewHandler)
    views.set(value, view)
  }
  return view as T
}
