import { ConfigurationError, StorageError } from './errors'
import { validateSchema, type StandardSchemaV1 } from './standardSchema'

/** Who and what caused an event; written once with the event and never changed. */
export interface EventMeta {
  /** The command whose execution wrote this event. */
  readonly commandId: string
  /** What directly caused the command: the command itself, or the event that triggered a reaction. */
  readonly causationId: string
  /** The first command of the chain this event belongs to. */
  readonly correlationId: string
  /** When the command was issued (epoch milliseconds). */
  readonly at: number
  /** Which store session (a tab) or server wrote the event. */
  readonly origin: string
}

/**
 * One event as the log holds it. `seq` is its position in the log (1-based, gapless per writer,
 * strictly increasing); `version` its position in its stream.
 */
export interface EventEnvelope<Type extends string = string, Payload = unknown> {
  readonly id: string
  readonly seq: number
  readonly stream: string
  readonly version: number
  readonly type: Type
  readonly schemaVersion: number
  readonly payload: Payload
  readonly meta: EventMeta
}

/** An event a command handler returns: its type and payload. The store adds the envelope. */
export interface EventInput<Type extends string = string, Payload = unknown> {
  readonly type: Type
  readonly payload: Payload
}

/**
 * Converts the payload of one schema version into the next. The parameter is the stored payload of
 * the older version; annotate it with that version's shape.
 */
export type Upcaster = { bivarianceHack(payload: { readonly [key: string]: unknown }): unknown }['bivarianceHack']

/** Options of `defineEvent`. */
export interface EventOptions {
  /** The current schema version of this event type (default 1). Stored events keep the version they were written with. */
  readonly version?: number
  /**
   * Upcasters keyed by the version they convert from: `{ 1: (v1) => v2, 2: (v2) => v3 }`. Every
   * version below `version` needs one, so no stored event is ever silently dropped.
   */
  readonly upcast?: { readonly [fromVersion: number]: Upcaster }
}

/** An event type: call it with a payload to get an `EventInput` for a command handler to return. */
export interface EventDefinition<Type extends string = string, Payload = unknown, Input = Payload> {
  (payload: Input): EventInput<Type, Payload>
  readonly kind: 'event'
  readonly type: Type
  readonly schema: StandardSchemaV1<unknown, Payload>
  readonly schemaVersion: number
  readonly upcasters: { readonly [fromVersion: number]: Upcaster }
  /** Narrows an envelope to this event type. */
  is(envelope: EventEnvelope): envelope is EventEnvelope<Type, Payload>
}

// The payload positions are contravariant (the constructor) and covariant (the schema), so the
// widest definition uses `never` for the input and `unknown` for the output.
/** Any event definition, whatever its payload. */
export type AnyEventDefinition = EventDefinition<string, unknown, never>

/** The payload type (after validation) of an event definition. */
export type PayloadOf<E> = E extends EventDefinition<string, infer P, never> ? P : never

/** The envelope type of an event definition. */
export type EnvelopeOf<E> = E extends EventDefinition<infer T, infer P, never> ? EventEnvelope<T, P> : never

/** The union of `EventInput`s a list of event definitions can construct. */
export type EventInputOf<E> = E extends EventDefinition<infer T, infer P, never> ? EventInput<T, P> : never

/**
 * Defines an event type from a name and any Standard Schema.
 *
 * @example
 * const CardAdded = defineEvent('CardAdded', v.object({ cardId: v.string(), title: v.string() }))
 * CardAdded({ cardId: 'c1', title: 'Write docs' }) // { type: 'CardAdded', payload: { ... } }
 *
 * // A later schema version with an upcaster: stored v1 events are read as v2.
 * const CardAdded = defineEvent('CardAdded', v2Schema, {
 *   version: 2,
 *   upcast: { 1: (old: { cardId: string; title: string }) => ({ ...old, priority: 'normal' }) },
 * })
 */
export function defineEvent<const Type extends string, Schema extends StandardSchemaV1>(
  type: Type,
  schema: Schema,
  options: EventOptions = {},
): EventDefinition<Type, StandardSchemaV1.InferOutput<Schema>, StandardSchemaV1.InferInput<Schema>> {
  const schemaVersion = options.version ?? 1
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1) {
    throw new ConfigurationError('invalid-definition', `defineEvent('${type}'): version must be a whole number >= 1, got ${String(schemaVersion)}`)
  }
  const upcasters = options.upcast ?? {}
  for (let from = 1; from < schemaVersion; from++) {
    if (typeof upcasters[from] !== 'function') {
      throw new ConfigurationError('invalid-definition', 
        `defineEvent('${type}'): version ${schemaVersion} needs an upcaster from version ${from} (options.upcast[${from}]), or stored v${from} events could not be read`,
      )
    }
  }
  type Output = StandardSchemaV1.InferOutput<Schema>
  type Input = StandardSchemaV1.InferInput<Schema>
  // The payload is validated (and transformed) by the store before anything is written, so the
  // input shape is carried under the output's type until then.
  const create = (payload: Input): EventInput<Type, Output> => ({ type, payload: payload as unknown as Output })
  return Object.assign(create, {
    kind: 'event' as const,
    type,
    schema: schema as StandardSchemaV1<unknown, Output>,
    schemaVersion,
    upcasters,
    is: (envelope: EventEnvelope): envelope is EventEnvelope<Type, Output> => envelope.type === type,
  })
}

/**
 * Reads stored envelopes as the current code expects them: events written with an older schema
 * version go through the upcasters of their definition. Types without a definition here (other
 * modules' events, system events) pass through unchanged.
 */
export function createEventDecoder(definitions: Iterable<AnyEventDefinition>): (envelope: EventEnvelope) => EventEnvelope {
  const byType = new Map<string, AnyEventDefinition>()
  for (const definition of definitions) byType.set(definition.type, definition)
  return (envelope) => {
    const definition = byType.get(envelope.type)
    if (!definition || envelope.schemaVersion >= definition.schemaVersion) return envelope
    let payload: unknown = envelope.payload
    for (let from = envelope.schemaVersion; from < definition.schemaVersion; from++) {
      payload = definition.upcasters[from]!(payload as { readonly [key: string]: unknown })
    }
    // A wrong upcaster must not quietly turn stored events into garbage: check the result against
    // the current schema (when the validator is synchronous, as valibot and zod are).
    const checked = validateSchema(definition.schema, payload)
    if (!(checked instanceof Promise)) {
      if (!checked.ok) {
        throw new StorageError(
          'corrupt',
          `Event ${envelope.id} (${envelope.type} v${envelope.schemaVersion}) does not match ${envelope.type} v${definition.schemaVersion} after upcasting: ${checked.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}. Fix the upcasters of ${envelope.type}.`,
        )
      }
      payload = checked.value
    }
    return { ...envelope, payload, schemaVersion: definition.schemaVersion }
  }
}
