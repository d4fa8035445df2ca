import { createEventDecoder, validateSchema } from '@chronicle/core/sync'
import { envelopeIssues } from '@chronicle/core/sync'
import { ValidationError, type AnyEventDefinition, type AnyProjectionDefinition, type EventEnvelope } from '@chronicle/core'

/** How far a bundle import got: shown in the panel while it runs. */
export interface BundleProgress {
  /** `checking` the events, `importing` them into the fresh log, `replaying` them into read models. */
  readonly phase: 'checking' | 'importing' | 'replaying'
  /** Events done in this phase. */
  readonly done: number
  readonly total: number
}

/** Options of the sliced bundle functions: progress, cancelling, and the size of a slice. */
export interface BundleWorkOptions {
  /** Aborting it stops the work at the next slice with a DOMException named `AbortError`. */
  readonly signal?: AbortSignal
  /** Called after every slice. */
  readonly onProgress?: (progress: BundleProgress) => void
  /** Events per slice between two yields to the browser (default 2,000). */
  readonly sliceSize?: number
}

/** Refuses a bundle: ValidationError `invalid-bundle`, saying what is wrong and what to do. */
export const bundleRefusal = (what: string) =>
  new ValidationError('invalid-bundle', `Not a Chronicle repro bundle that can be replayed: ${what}. Choose a file saved by "Export" in Chronicle devtools.`)

/** Lets the page paint and handle input between two slices of work; throws once `signal` aborted. */
export async function yieldToPage(signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted()
  await new Promise((resolve) => setTimeout(resolve, 0))
  signal?.throwIfAborted()
}

/** The first path under `value` that holds an own `__proto__` key (JSON.parse makes them own keys), or undefined. */
function protoPath(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value !== 'object' || value === null || depth > 100) return undefined
  if (!Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, '__proto__')) return `${path}.__proto__`
  for (const key of Object.keys(value)) {
    const found = protoPath((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1)
    if (found) return found
  }
  return undefined
}

/**
 * Checks a bundle's events one after another (`check(event, index)` throws the refusal): each
 * envelope within core's `envelopeLimits`, no `__proto__` keys (a replay's handlers could copy
 * them onto prototypes), log order, consecutive versions per stream (no version twice), and the
 * payloads of the event types the projections know against their schemas (upcast first when
 * older; a newer schema version than the code knows is refused).
 */
export function createEventCheck(projections: readonly AnyProjectionDefinition[]): (event: unknown, index: number) => Promise<void> | void {
  const definitions = new Map<string, AnyEventDefinition>()
  for (const projection of projections) for (const definition of projection.events) definitions.set(definition.type, definition)
  const upcast = createEventDecoder(definitions.values())
  const versions = new Map<string, number>()
  let lastSeq = -Infinity
  return (event, index) => {
    const issues = envelopeIssues(event as Partial<EventEnvelope>, `events.${index}`)
    if (issues.length > 0 || (event as Partial<EventEnvelope>).seq === undefined || !('payload' in (event as object))) {
      const first = issues[0] ?? { path: `events.${index}`, message: 'needs a seq and a payload' }
      throw bundleRefusal(`event ${index} is not a valid event envelope (${first.path}: ${first.message}${issues.length > 1 ? `, and ${issues.length - 1} more` : ''})`)
    }
    const envelope = event as EventEnvelope
    const proto = protoPath(envelope.payload, `events.${index}.payload`) ?? protoPath(envelope.meta, `events.${index}.meta`)
    if (proto) throw bundleRefusal(`event ${index} has a "__proto__" key (${proto}), which no exported event holds`)
    if (envelope.seq <= lastSeq) throw bundleRefusal(`events are not in log order at index ${index} (seq ${envelope.seq} after ${lastSeq})`)
    lastSeq = envelope.seq
    const previous = versions.get(envelope.stream)
    if (previous !== undefined && envelope.version !== previous + 1) {
      const what = envelope.version <= previous ? `repeats version ${envelope.version}` : `skips from version ${previous} to ${envelope.version}`
      throw bundleRefusal(`event ${index} (seq ${envelope.seq}) of stream "${envelope.stream}" ${what}`)
    }
    versions.set(envelope.stream, envelope.version)
    return checkPayload(definitions.get(envelope.type), envelope, index, upcast)
  }
}

function checkPayload(definition: AnyEventDefinition | undefined, envelope: EventEnvelope, index: number, upcast: (e: EventEnvelope) => EventEnvelope): Promise<void> | void {
  // Event types no projection here folds are replayed as they are: nothing reads their payloads.
  if (!definition) return
  if (envelope.schemaVersion > definition.schemaVersion) {
    throw bundleRefusal(`event ${index} (${envelope.type}) has schema version ${envelope.schemaVersion}, newer than this code's ${definition.schemaVersion}; open it with the build that wrote it`)
  }
  if (envelope.schemaVersion < definition.schemaVersion) {
    try {
      upcast(envelope)
    } catch (error) {
      throw bundleRefusal(`event ${index} (${envelope.type} v${envelope.schemaVersion}) cannot be upcast: ${error instanceof Error ? error.message : String(error)}`)
    }
    return
  }
  const refuse = (issues: readonly { path: string; message: string }[]) =>
    bundleRefusal(`event ${index} (${envelope.type}, seq ${envelope.seq}) has a payload its schema refuses (${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')})`)
  const checked = validateSchema(definition.schema, envelope.payload)
  if (checked instanceof Promise) {
    return checked.then((result) => {
      if (!result.ok) throw refuse(result.issues)
    })
  }
  if (!checked.ok) throw refuse(checked.issues)
}
