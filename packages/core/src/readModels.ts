import { freeze, produce } from 'immer'
import { Observable, Subject } from 'rxjs'
import { ChronicleError, ProjectionError } from './errors'
import type { EventEnvelope } from './event'
import type { AnyProjectionDefinition } from './projection'
import type { StoredCheckpoint } from './storage/storage'

type Handler = (draft: unknown, payload: unknown, envelope: EventEnvelope) => void

interface ReadModel {
  readonly definition: AnyProjectionDefinition
  readonly handlers: Record<string, Handler | undefined>
  state: unknown
  /** The log position this read model has applied. */
  position: number
  error: ProjectionError | undefined
  readonly changed: Subject<void>
}

/**
 * Above this many events, a catch-up folds on a private mutable copy instead of an immer draft.
 * The copy is a structuredClone of the whole state plus a deep freeze, so it only pays off when the
 * events far outnumber what one draft would copy; it stays above the group-commit size (1,000) so
 * live batches take the draft. Measured in Chromium 156, filling a 100,000-event log through the
 * store in bursts: 41 s with the threshold at 256 (a clone of the whole read model per batch),
 * 30 s at 4,096.
 */
const mutableFoldThreshold = 4096

/**
 * Folds the log into every read model. All read models move together: a batch of events is
 * applied to each of them before any subscriber hears of it, so nobody sees one read model ahead
 * of another or half of a command.
 */
export interface ReadModels {
  /** Position every read model has applied (failed ones excepted). */
  readonly position: number
  /** Cold start: checkpoints (where their version matches) plus the log after them. */
  start(checkpoints: readonly StoredCheckpoint[], readLog: (after: number) => AsyncIterable<EventEnvelope[]>): Promise<void>
  /** Applies events that directly follow `position`, in log order. */
  apply(events: readonly EventEnvelope[]): void
  read(definition: AnyProjectionDefinition): unknown
  watch(definition: AnyProjectionDefinition): Observable<unknown>
  /** Checkpoints of the read models that moved since `since` (all healthy ones when omitted). */
  checkpoints(): StoredCheckpoint[]
  readonly errors: Observable<ChronicleError>
}

export function createReadModels(projections: readonly AnyProjectionDefinition[]): ReadModels {
  const models = new Map<string, ReadModel>()
  for (const definition of projections) {
    if (models.has(definition.name)) throw new TypeError(`Two projections are named "${definition.name}"; names must be unique`)
    models.set(definition.name, {
      definition,
      handlers: definition.on as Record<string, Handler | undefined>,
      state: freeze(structuredClone(definition.initial), true),
      position: 0,
      error: undefined,
      changed: new Subject<void>(),
    })
  }
  const errors = new Subject<ChronicleError>()
  let position = 0

  const modelOf = (definition: AnyProjectionDefinition): ReadModel => {
    const model = models.get(definition.name)
    if (!model || model.definition !== definition) {
      throw new TypeError(`Projection "${definition.name}" is not part of this store; pass it to createStore({ projections })`)
    }
    return model
  }

  const fail = (model: ReadModel, event: EventEnvelope, cause: unknown) => {
    model.error = new ProjectionError(
      model.definition.name,
      `Projection ${model.definition.name} failed on event ${event.seq} (${event.type}): ${cause instanceof Error ? cause.message : String(cause)}. It stays at the event before; fix the handler and bump its version to rebuild it.`,
      { cause, eventId: event.id },
    )
    errors.next(model.error)
  }

  /** Runs handlers directly on a mutable state; returns the index of the failing event, or -1. */
  const foldMutable = (model: ReadModel, state: unknown, events: readonly EventEnvelope[]): number => {
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!
      if (event.seq <= model.position) continue
      const handler = model.handlers[event.type]
      if (!handler) continue
      try {
        handler(state, event.payload, event)
      } catch (cause) {
        fail(model, event, cause)
        return i
      }
    }
    return -1
  }

  const applyTo = (model: ReadModel, events: readonly EventEnvelope[], last: number): boolean => {
    if (model.error) return false
    const relevant = events.filter((e) => e.seq > model.position && model.handlers[e.type] !== undefined)
    if (relevant.length === 0) {
      model.position = last
      return false
    }
    if (relevant.length > mutableFoldThreshold) {
      // A long catch-up: immer would copy every touched object per batch; fold a private copy.
      const state = structuredClone(model.state)
      const failedAt = foldMutable(model, state, relevant)
      if (failedAt >= 0) return false
      model.state = freeze(state, true)
      model.position = last
      return true
    }
    let failedAt = -1
    const next = produce(model.state, (draft: unknown) => {
      for (let i = 0; i < relevant.length; i++) {
        const event = relevant[i]!
        try {
          model.handlers[event.type]!(draft, event.payload, event)
        } catch (cause) {
          failedAt = i
          fail(model, event, cause)
          return
        }
      }
    })
    if (failedAt >= 0) {
      // Keep what the events before the failing one did, without the failing handler's half-work.
      const before = relevant.slice(0, failedAt)
      model.state = before.length
        ? produce(model.state, (draft: unknown) => {
            for (const event of before) model.handlers[event.type]!(draft, event.payload, event)
          })
        : model.state
      model.position = before.at(-1)?.seq ?? model.position
      return true
    }
    model.state = next
    model.position = last
    return true
  }

  return {
    get position() {
      return position
    },
    errors: errors.asObservable(),

    async start(checkpoints, readLog) {
      const byName = new Map(checkpoints.map((c) => [c.name, c]))
      const mutable = new Map<ReadModel, unknown>()
      for (const model of models.values()) {
        const checkpoint = byName.get(model.definition.name)
        const usable = checkpoint && checkpoint.version === model.definition.version && Number.isInteger(checkpoint.position)
        // Checkpoint states come out of storage as fresh objects: fold the tail right onto them.
        mutable.set(model, usable ? checkpoint.state : structuredClone(model.definition.initial))
        model.position = usable ? checkpoint.position : 0
      }
      const from = Math.min(...[...models.values()].map((m) => m.position), Infinity)
      let last = from === Infinity ? 0 : from
      for await (const page of readLog(from === Infinity ? 0 : from)) {
        for (const model of models.values()) {
          if (model.error) continue
          const state = mutable.get(model)
          const failedAt = foldMutable(model, state, page)
          if (failedAt < 0) model.position = Math.max(model.position, page.at(-1)!.seq)
          else model.position = page[failedAt - 1]?.seq ?? model.position
        }
        last = page.at(-1)!.seq
      }
      for (const model of models.values()) {
        model.state = freeze(mutable.get(model), true)
        if (!model.error) model.position = Math.max(model.position, last)
      }
      position = Math.max(position, last)
      for (const model of models.values()) model.changed.next()
    },

    apply(events) {
      if (events.length === 0) return
      const last = events.at(-1)!.seq
      if (last <= position) return
      const moved: ReadModel[] = []
      for (const model of models.values()) if (applyTo(model, events, last)) moved.push(model)
      position = last
      // Only now, with every read model at `last`, tell subscribers.
      for (const model of moved) model.changed.next()
    },

    read: (definition) => modelOf(definition).state,

    watch(definition) {
      const model = modelOf(definition)
      return new Observable<unknown>((subscriber) => {
        if (model.error) {
          subscriber.error(model.error)
          return
        }
        subscriber.next(model.state)
        const subscription = model.changed.subscribe(() => {
          if (model.error) subscriber.error(model.error)
          else subscriber.next(model.state)
        })
        const onError = errors.subscribe((error) => {
          if (error === model.error) subscriber.error(error)
        })
        return () => {
          subscription.unsubscribe()
          onError.unsubscribe()
        }
      })
    },

    checkpoints() {
      const savedAt = Date.now()
      return [...models.values()]
        .filter((m) => !m.error)
        .map((m) => ({ name: m.definition.name, version: m.definition.version, position: m.position, state: m.state, savedAt }))
    },
  }
}
