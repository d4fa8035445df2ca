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
 * Above this many events (a long catch-up), fold a private mutable copy instead of an immer draft:
 * handlers then run on plain objects at full speed, and one clone + freeze replaces the proxies.
 */
const mutableFoldThreshold = 5_000

/**
 * Folds the log into every read model. All read models move together: a batch of events is
 * applied to each of them before any subscriber hears of it, so nobody sees one read model ahead
 * of another or half of a command.
 */
export interface ReadModels {
  /** Position every read model has applied (failed ones excepted). */
  readonly position: number
  /** Cold start: checkpoints (where their version matches) plus the log after them. */
  start(checkpoints: readonly StoredCheckpoint[], readLog: (after: number) => AsyncIterable<EventEnvelope[]>, head: number): Promise<void>
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

  /**
   * Runs handlers directly on a mutable state, skipping events the model already applied.
   * Returns the failing event and its cause, or undefined; `position` then stays at the event before.
   */
  const foldMutable = (model: ReadModel, state: unknown, events: readonly EventEnvelope[]) => {
    for (const event of events) {
      if (event.seq <= model.position) continue
      const handler = model.handlers[event.type]
      if (handler) {
        try {
          handler(state, event.payload, event)
        } catch (cause) {
          return { event, cause }
        }
      }
      model.position = event.seq
    }
    return undefined
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
      const before = model.position
      const failed = foldMutable(model, state, relevant)
      if (failed) {
        // The half-done copy is dropped; the model keeps its last good state.
        model.position = before
        fail(model, failed.event, failed.cause)
        return true
      }
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

    async start(checkpoints, readLog, head) {
      const byName = new Map(checkpoints.map((c) => [c.name, c]))
      const states = new Map<ReadModel, unknown>()
      const fromCheckpoint = new Set<ReadModel>()
      const reset = (model: ReadModel) => {
        states.set(model, structuredClone(model.definition.initial))
        model.position = 0
        model.error = undefined
      }
      for (const model of models.values()) {
        const checkpoint = byName.get(model.definition.name)
        const usable =
          checkpoint !== undefined &&
          checkpoint.version === model.definition.version &&
          Number.isInteger(checkpoint.position) &&
          checkpoint.position >= 0 &&
          checkpoint.position <= head &&
          checkpoint.state !== undefined
        if (usable) {
          // Checkpoint states come out of storage as fresh objects: fold the tail right onto them.
          states.set(model, checkpoint.state)
          model.position = checkpoint.position
          fromCheckpoint.add(model)
        } else reset(model)
      }
      const failures = new Map<ReadModel, { event: EventEnvelope; cause: unknown }>()
      const replay = async (targets: ReadModel[]) => {
        const from = Math.min(...targets.map((m) => m.position))
        for await (const page of readLog(from)) {
          for (const model of targets) {
            if (failures.has(model)) continue
            const failed = foldMutable(model, states.get(model), page)
            if (failed) failures.set(model, failed)
            else model.position = Math.max(model.position, page.at(-1)!.seq)
          }
        }
      }
      const all = [...models.values()]
      if (all.length > 0) await replay(all)
      // A checkpoint the handlers cannot continue from counts as corrupt: rebuild from the log.
      const retry = [...fromCheckpoint].filter((m) => failures.has(m))
      if (retry.length > 0) {
        for (const model of retry) {
          failures.delete(model)
          reset(model)
        }
        await replay(retry)
      }
      for (const model of all) {
        const failed = failures.get(model)
        if (failed) fail(model, failed.event, failed.cause)
        else model.position = head
        model.state = freeze(states.get(model), true)
      }
      position = Math.max(position, head)
      for (const model of all) model.changed.next()
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
