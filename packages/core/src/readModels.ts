import { enableMapSet, freeze as deepFreeze, Immer } from 'immer'
import { Observable } from 'rxjs'
import { createEmitter, type Emitter } from './emitter'
import { corruptCheckpoint, judgeCheckpoint } from './checkpoints'
import { ChronicleError, ProjectionError, ValidationError } from './errors'
import type { EventEnvelope } from './event'
import { isHistoryEvent } from './undoEvents'
import type { createOverlay } from './sync/overlay'
import type { AnyProjectionDefinition } from './projection'
import { createSnapshots } from './snapshots'
import type { Horizon, StoredCheckpoint, StoredHorizon } from './storage/storage'
import { createTimeline, type Timeline } from './timeline'

// Read models may hold Maps and Sets: the fastest container for a large keyed collection (V8 copies
// a Map of 80,000 entries ~4x faster than a record of as many keys, and every immutable update of
// the collection copies it). Immer needs its MapSet plugin for them; enabling it only adds support.
enableMapSet()

type Handler = (draft: unknown, payload: unknown, envelope: EventEnvelope) => void

interface ReadModel {
  readonly index: number
  readonly definition: AnyProjectionDefinition
  readonly handlers: Record<string, Handler | undefined>
  /** The live state (frozen). Reading it first folds the pending events, if any. */
  state: unknown
  /** The state as last folded, without the pending events. */
  folded: unknown
  /**
   * Live events not folded yet: a read model that nobody watches folds its live events when it
   * is next read (a read, a subscription, a checkpoint, a snapshot) instead of once per commit.
   */
  pending: { readonly from: number; readonly events: EventEnvelope[]; last: number } | undefined
  /** The log position this read model has applied. */
  position: number
  error: ProjectionError | undefined
  readonly changed: Emitter<void>
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
export interface ReadModelsOptions {
  /** Snapshot spacing in events: any undo or time-travel jump applies at most about this many. */
  readonly snapshotEvery: number
  /** Deep-freeze every state handed out (development), or hand them out as they are (production). */
  readonly freeze: boolean
  /** Reads decoded log events with `after < seq <= to` (older ones that are not in memory). */
  readonly loadLog: (after: number, to: number) => Promise<EventEnvelope[]>
  /** The read-model states of the horizon at `position`, when the stored horizon came without them. */
  readonly loadHorizonStates?: (position: number) => Promise<Horizon['states'] | undefined>
  /** With sync on: the overlay of provisional events (`setPending`). */
  readonly overlay?: typeof createOverlay
}

/**
 * Folds the log into every read model. All read models move together: a batch of events is
 * applied to each of them before any subscriber hears of it, so nobody sees one read model ahead
 * of another or half of a command. Undone commands' events are left out of every fold; an undo
 * or redo refolds from the nearest snapshot before the command. `travel` shows every read model
 * as of a past position while live events keep being applied underneath.
 */
export interface ReadModels {
  /** Position every read model has applied (failed ones excepted). */
  readonly position: number
  readonly timeline: Timeline
  /**
   * Cold start: checkpoints (where their version matches) plus the log after them. After a
   * compaction, `horizon` holds every read model's state at the horizon: the log starts there.
   * Resolves with the position the stored checkpoints cover: the oldest one a working read model
   * started from (the origin for one rebuilt from the log), so the next cold start replays from
   * there; `-Infinity` when a stored checkpoint is damaged, so that it is replaced soon.
   */
  start(checkpoints: readonly StoredCheckpoint[], readLog: (after: number) => AsyncIterable<EventEnvelope[]>, head: number, horizon?: StoredHorizon): Promise<number>
  /** Position of the oldest state the log can still produce (0, or the compaction horizon). */
  readonly origin: number
  /** Applies events that directly follow `position`, in log order. */
  apply(events: readonly EventEnvelope[]): void | Promise<void>
  /**
   * Folds events that are being committed (with the positions they are expected to get) ahead
   * of time, while the transaction is in flight; `apply` then only publishes the result when the
   * committed events are exactly these and nothing moved in between.
   */
  speculate(events: readonly EventEnvelope[]): void
  read(definition: AnyProjectionDefinition): unknown
  /**
   * A read model's state, or `select` of it, now and whenever it changes by `equal` (default
   * `Object.is`); errors with the read model's ProjectionError, or with what `select` or `equal` threw.
   */
  watch(definition: AnyProjectionDefinition, select?: (state: unknown) => unknown, equal?: (a: unknown, b: unknown) => boolean): Observable<unknown>
  /**
   * The state of one read model as of `position`, without changing what the store shows.
   * `undone: 'now'` leaves out the commands undone at the head instead of those undone at `position`.
   */
  stateAt(definition: AnyProjectionDefinition, position: number, undone?: 'then' | 'now'): Promise<unknown>
  /**
   * With sync on: the provisional events of the outbox, shown on top of the confirmed log (with
   * the undo and redo among them applied). Returns a promise when older events must be loaded first.
   */
  setPending(events: readonly EventEnvelope[]): void | Promise<void>
  /** After a compaction: the log now starts at `horizon`. */
  setHorizon(horizon: StoredHorizon): void
  /** Shows every read model as of `position` (null: live again). */
  travel(position: number | null): Promise<void>
  /** Builds the time-travel snapshot index in the background and keeps it from then on; resolves when it is complete. */
  prepareTravel(): Promise<void>
  /** The store closed: background work (the travel index build) stops. */
  stop(): void
  /** The log was deleted (site data cleared): every read model back to its initial state at position 0, subscribers told. */
  clear(): void
  readonly travelling: number | null
  checkpoints(): StoredCheckpoint[]
  readonly errors: Emitter<ChronicleError>
}

export function createReadModels(projections: readonly AnyProjectionDefinition[], options: ReadModelsOptions): ReadModels {
  // A private immer instance: the app's own immer (Redux Toolkit's, say) keeps its settings.
  const immer = new Immer({ autoFreeze: options.freeze })
  const freeze = <T>(state: T): T => (options.freeze ? deepFreeze(state, true) : state)
  const models: ReadModel[] = []
  const byName = new Map<string, ReadModel>()
  for (const definition of projections) {
    if (byName.has(definition.name)) throw new TypeError(`Two projections are named "${definition.name}"; names must be unique`)
    const model: ReadModel = {
      index: models.length,
      definition,
      handlers: definition.on as Record<string, Handler | undefined>,
      folded: freeze(structuredClone(definition.initial)),
      pending: undefined,
      get state() {
        if (this.pending) foldPending(this)
        return this.folded
      },
      set state(value) {
        this.pending = undefined
        this.folded = value
      },
      position: 0,
      error: undefined,
      changed: createEmitter<void>(),
    }
    models.push(model)
    byName.set(definition.name, model)
  }
  const errors = createEmitter<ChronicleError>()
  // Without read models nothing is ever folded: keep no events in memory (the sync server's store).
  const newTimeline = (start: number) => createTimeline(start, { keepEvents: models.length > 0 })
  let timeline = newTimeline(0)
  let position = 0
  let shown: readonly unknown[] | undefined
  const visible = (model: ReadModel) => (shown ? shown[model.index] : overlay?.states ? overlay.states[model.index] : model.state)
  let travelling: number | null = null
  /** Watched read models' states folded while their events commit (sparse, by model index). */
  let speculation: { events: readonly EventEnvelope[]; base: number; from: readonly unknown[]; next: readonly unknown[] } | undefined
  let horizon: StoredHorizon | undefined
  /** The horizon's read-model states, read once when first needed (a cold start does not). */
  let horizonStates: Promise<Horizon['states']> | undefined
  const statesAtHorizon = (at: StoredHorizon): Promise<Horizon['states']> => {
    if (at.states) return Promise.resolve(at.states)
    return (horizonStates ??= (async () => {
      const states = await options.loadHorizonStates?.(at.position)
      // Another tab compacted again meanwhile: the positions before its horizon are gone too.
      if (!states) throw new ValidationError('compacted', `The log was compacted again (past position ${at.position}) by another tab; this tab follows it, try again.`)
      return states
    })().catch((error: unknown) => {
      // A failed read is tried again next time, not remembered.
      if (horizon === at) horizonStates = undefined
      throw error
    }))
  }
  /** A model's state at the origin: its initial state, or its state at the compaction horizon. */
  const originState = async (model: ReadModel): Promise<unknown> => {
    if (!horizon) return structuredClone(model.definition.initial)
    const kept = (await statesAtHorizon(horizon))[model.definition.name]
    return kept && kept.version === model.definition.version ? structuredClone(kept.state) : undefined
  }
  const compactedError = (model: ReadModel) =>
    new ProjectionError(
      model.definition.name,
      `Projection ${model.definition.name} (version ${model.definition.version}) cannot be rebuilt: the log was compacted up to position ${horizon?.position ?? 0} when it had another version. Keep its previous handlers until the horizon, or start a new log.`,
      { code: 'compacted' },
    )

  const modelOf = (definition: AnyProjectionDefinition): ReadModel => {
    const model = byName.get(definition.name)
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
    errors.emit(model.error)
  }

  const counts = (model: ReadModel, event: EventEnvelope, exclude: ReadonlySet<string>) =>
    model.handlers[event.type] !== undefined && !isHistoryEvent(event.type) && !exclude.has(event.meta.commandId)

  /** Runs handlers on a mutable state; returns the failing event and its cause, if any. */
  const foldMutable = (model: ReadModel, state: unknown, events: readonly EventEnvelope[], exclude: ReadonlySet<string>) => {
    for (const event of events) {
      if (event.seq <= model.position) continue
      if (counts(model, event, exclude)) {
        try {
          model.handlers[event.type]!(state, event.payload, event)
        } catch (cause) {
          return { event, cause }
        }
      }
      model.position = event.seq
    }
    return undefined
  }

  /** One immer produce over `events` (structural sharing); throws { event, cause } on failure. */
  const foldDraft = (model: ReadModel, state: unknown, events: readonly EventEnvelope[], exclude: ReadonlySet<string>) => {
    let failure: { event: EventEnvelope; cause: unknown } | undefined
    const next = immer.produce(state, (draft: unknown) => {
      for (const event of events) {
        if (!counts(model, event, exclude)) continue
        try {
          model.handlers[event.type]!(draft, event.payload, event)
        } catch (cause) {
          failure = { event, cause }
          return
        }
      }
    })
    return { next, failure }
  }

  /** Live path: one produce per model for a committed batch. Returns whether the model moved. */
  const applyLive = (model: ReadModel, events: readonly EventEnvelope[], last: number): boolean => {
    if (model.error) return false
    const relevant = events.filter((e) => e.seq > model.position && counts(model, e, timeline.undone))
    if (relevant.length === 0) {
      model.position = last
      return false
    }
    if (relevant.length > mutableFoldThreshold) {
      const state = structuredClone(model.state)
      const before = model.position
      const failed = foldMutable(model, state, relevant, timeline.undone)
      if (failed) {
        model.position = before
        fail(model, failed.event, failed.cause)
        return true
      }
      model.state = freeze(state)
      model.position = last
      return true
    }
    const { next, failure } = foldDraft(model, model.state, relevant, timeline.undone)
    if (failure) {
      // Keep what the events before the failing one did, without the failing handler's half-work.
      const before = relevant.slice(0, relevant.indexOf(failure.event))
      model.state = before.length ? foldDraft(model, model.state, before, timeline.undone).next : model.state
      model.position = before.at(-1)?.seq ?? model.position
      fail(model, failure.event, failure.cause)
      return true
    }
    model.state = next
    model.position = last
    return true
  }

  /** Folds a read model's pending live events (reading `model.state` does this). */
  function foldPending(model: ReadModel) {
    const { from, events, last } = model.pending!
    model.pending = undefined
    model.position = from
    applyLive(model, events, last)
  }

  /** Live events for a read model nobody watches: kept until it is read, then folded in one go. */
  const defer = (model: ReadModel, events: readonly EventEnvelope[], last: number) => {
    if (model.error) return
    const relevant = events.filter((e) => e.seq > model.position && model.handlers[e.type] !== undefined && !isHistoryEvent(e.type))
    if (relevant.length > 0) {
      const pending = (model.pending ??= { from: model.position, events: [], last })
      for (const event of relevant) pending.events.push(event)
    }
    if (model.pending) model.pending.last = last
    model.position = last
  }

  const notify = (which: readonly ReadModel[] = models) => {
    if (travelling !== null) return
    if (overlay?.active) {
      const overlaid = overlay.compute()
      if (overlaid) {
        overlaid.then(
          () => {
            if (travelling === null) for (const model of models) model.changed.emit()
          },
          // Older events could not be read: the overlay stays as it was, and the store hears why.
          (error: unknown) => {
            if (error instanceof ChronicleError) errors.emit(error)
          },
        )
        return
      }
      which = models
    }
    for (const model of which) model.changed.emit()
  }

  const snapshots = createSnapshots({
    models,
    every: options.snapshotEvery,
    timeline: () => timeline,
    horizon: () => horizon,
    liveStates: () => models.map((m) => m.state),
    travelling: () => travelling,
    fold: foldDraft,
    freeze,
    fail,
    originState,
    loadLog: options.loadLog,
  })

  // With sync on: the outbox's provisional events, shown on top of the confirmed states.
  const overlay = options.overlay?.({ models, timeline: () => timeline, horizon: () => horizon, snapshots, fold: foldDraft })

  /** After an undo or redo of commands starting at `from`: refold every read model from before it. */
  const refold = async (from: number) => {
    const states = await snapshots.refold(from)
    const head = timeline.head
    for (const model of models) {
      if (model.error) continue
      model.state = states[model.index]
      model.position = head
    }
  }

  return {
    get position() {
      return position
    },
    get timeline() {
      return timeline
    },
    get travelling() {
      return travelling
    },
    get origin() {
      return horizon?.position ?? 0
    },
    errors,

    async start(checkpoints, readLog, head, compacted) {
      horizon = compacted
      horizonStates = undefined
      const origin = horizon?.position ?? 0
      const byCheckpoint = new Map(checkpoints.map((c) => [c.name, c]))
      // A checkpoint that cannot be trusted is never shown: that read model rebuilds from the log.
      const trusted = new Map<ReadModel, StoredCheckpoint>()
      let damaged = false
      for (const model of models) {
        const checkpoint = byCheckpoint.get(model.definition.name)
        const verdict = judgeCheckpoint(checkpoint, model.definition, { origin, head })
        if (verdict === 'usable') trusted.set(model, checkpoint!)
        else if (typeof verdict === 'object') {
          damaged = true
          errors.emit(corruptCheckpoint(model.definition.name, verdict.corrupt))
        }
      }
      const usable = (model: ReadModel) => trusted.get(model)
      const from = Math.min(head, ...models.map((m) => usable(m)?.position ?? origin))
      timeline = newTimeline(from)
      for await (const page of readLog(from)) timeline.append(page)
      // An undo in the tail of a command before the tail cannot be taken back out of a
      // checkpoint's state: then every read model rebuilds from position 0.
      const reachesBack = timeline.historyAfter(from).some((e) => timeline.firstOf((e.payload as { commandId: string }).commandId) === undefined)
      if (reachesBack && from > origin) await snapshots.fromZero()
      const states = new Map<ReadModel, unknown>()
      const fromCheckpoint = new Set<ReadModel>()
      const unbuildable = new Set<ReadModel>()
      const reset = async (model: ReadModel) => {
        const state = await originState(model)
        if (state === undefined) unbuildable.add(model)
        states.set(model, state ?? model.state)
        model.position = origin
        model.error = undefined
      }
      for (const model of models) {
        const checkpoint = reachesBack ? undefined : usable(model)
        if (checkpoint) {
          // Checkpoint states come out of storage as fresh objects: fold the tail right onto them.
          states.set(model, checkpoint.state)
          model.position = checkpoint.position
          fromCheckpoint.add(model)
        } else await reset(model)
      }
      const failures = new Map<ReadModel, { event: EventEnvelope; cause: unknown }>()
      const replay = (targets: ReadModel[]) => {
        const events = timeline.range(Math.min(...targets.map((m) => m.position)), head)
        for (const model of targets) {
          const failed = foldMutable(model, states.get(model), events, timeline.undone)
          if (failed) failures.set(model, failed)
        }
      }
      if (models.length > 0) replay(models.filter((m) => !unbuildable.has(m)))
      // A checkpoint the handlers cannot continue from counts as corrupt: rebuild from the log.
      const retry = [...fromCheckpoint].filter((m) => failures.has(m))
      if (retry.length > 0) {
        if (timeline.start > origin) await snapshots.fromZero()
        const before = new Map(retry.map((model) => [model, failures.get(model)!]))
        for (const model of retry) {
          failures.delete(model)
          fromCheckpoint.delete(model)
          await reset(model)
        }
        damaged = true
        replay(retry)
        // Rebuilt past the event it failed on: it was the checkpoint's state, not the event.
        for (const [model, failed] of before) {
          if (failures.has(model)) continue
          const cause = failed.cause instanceof Error ? failed.cause.message : String(failed.cause)
          errors.emit(corruptCheckpoint(model.definition.name, `the projection's handlers failed on its state at event ${failed.event.seq}: ${cause}`))
        }
      }
      for (const model of models) {
        const failed = failures.get(model)
        if (unbuildable.has(model)) {
          model.error = compactedError(model)
          errors.emit(model.error)
        } else if (failed) fail(model, failed.event, failed.cause)
        else model.position = head
        model.state = freeze(states.get(model))
      }
      position = Math.max(position, head)
      snapshots.reset(position, models.map((m) => m.state))
      notify()
      // A damaged record is replaced at the first chance. A read model that failed is left out of
      // checkpoints: saving them would not spare its replay.
      if (damaged) return -Infinity
      const working = models.filter((m) => !m.error)
      return Math.min(head, ...working.map((m) => (fromCheckpoint.has(m) ? usable(m)!.position : origin)))
    },

    speculate(events) {
      speculation = undefined
      const last = events.at(-1)?.seq
      if (last === undefined || events.length > mutableFoldThreshold || events.some((e) => isHistoryEvent(e.type))) return
      // Only watched read models are folded ahead; the others fold when they are next read.
      const next: unknown[] = []
      const from: unknown[] = []
      for (const model of models) {
        const relevant = model.error || !model.changed.observed ? [] : events.filter((e) => counts(model, e, timeline.undone))
        if (relevant.length === 0) continue
        const state = model.state
        const folded = foldDraft(model, state, relevant, timeline.undone)
        // A failing handler takes the ordinary path, which reports it.
        if (folded.failure) return
        from[model.index] = state
        next[model.index] = folded.next
      }
      speculation = { events, base: position, from, next }
    },

    apply(events) {
      const ahead = speculation
      speculation = undefined
      const fresh = events.filter((e) => e.seq > position)
      if (fresh.length === 0) return
      const last = fresh.at(-1)!.seq
      // The events committed as predicted, and nothing moved in between: publish what was folded
      // while they were committing.
      const predicted =
        ahead !== undefined &&
        ahead.base === position &&
        ahead.events.length === fresh.length &&
        ahead.events.every((e, i) => e.id === fresh[i]!.id && e.seq === fresh[i]!.seq) &&
        models.every((m, i) => !(i in ahead.next) || (m.folded === ahead.from[i] && !m.pending && !m.error))
      timeline.append(fresh)
      const history = fresh.filter((e) => isHistoryEvent(e.type))
      if (history.length > 0) {
        const firsts = history.map((e) => timeline.firstOf((e.payload as { commandId: string }).commandId) ?? 0)
        const done = refold(Math.min(...firsts)).then(() => {
          position = last
          notify()
        })
        return done
      }
      const moved: ReadModel[] = []
      for (const model of models) {
        if (predicted && model.index in ahead.next) {
          model.state = ahead.next[model.index]
          model.position = last
          moved.push(model)
        } else if (model.changed.observed) {
          if (applyLive(model, fresh, last)) moved.push(model)
        } else defer(model, fresh, last)
      }
      position = last
      snapshots.live(last)
      // Only now, with every read model at `last`, tell subscribers.
      notify(moved)
    },

    read: (definition) => visible(modelOf(definition)),

    setPending(events) {
      if (!overlay) throw new TypeError('These read models were created without an overlay')
      overlay.set(events)
      const changed = () => {
        if (travelling === null) for (const model of models) model.changed.emit()
      }
      const overlaid = overlay.compute()
      if (!overlaid) return changed()
      return overlaid.then(changed)
    },

    watch(definition, select, equal = Object.is) {
      const model = modelOf(definition)
      return new Observable<unknown>((subscriber) => {
        let last: { readonly value: unknown } | undefined
        // Reading the state folds its pending events, which may fail: read first, then look.
        const emit = () => {
          const current = visible(model)
          if (model.error && !shown) return subscriber.error(model.error)
          let value
          try {
            value = select ? select(current) : current
            if (last && equal(last.value, value)) return
          } catch (error) {
            return subscriber.error(error)
          }
          last = { value }
          subscriber.next(value)
        }
        emit()
        if (subscriber.closed) return
        const stopChanges = model.changed.listen(emit)
        const stopErrors = errors.listen((error) => {
          if (error === model.error && !shown) subscriber.error(error)
        })
        return () => {
          stopChanges()
          stopErrors()
        }
      })
    },

    async stateAt(definition, p, undone) {
      const model = modelOf(definition)
      return (await snapshots.statesAt(p, undone, model))[model.index]
    },

    setHorizon(next) {
      horizon = next
      horizonStates = undefined
      if (timeline.start < next.position) {
        const kept = timeline.range(next.position, timeline.head)
        timeline = newTimeline(next.position)
        timeline.append(kept)
      }
      snapshots.setHorizon(next)
    },

    async travel(p) {
      if (p === null) {
        shown = undefined
        travelling = null
        notify()
        return
      }
      const states = await snapshots.statesAt(p)
      shown = states
      travelling = null
      notify()
      travelling = p
    },

    prepareTravel: () => snapshots.index(),
    stop: () => snapshots.stop(),

    clear() {
      travelling = null
      shown = undefined
      speculation = undefined
      horizon = undefined
      horizonStates = undefined
      timeline = newTimeline(0)
      position = 0
      overlay?.set([])
      void overlay?.compute()
      for (const model of models) {
        model.state = freeze(structuredClone(model.definition.initial))
        model.position = 0
        model.error = undefined
      }
      snapshots.reset(0, models.map((m) => m.state))
      for (const model of models) model.changed.emit()
    },

    checkpoints() {
      const savedAt = Date.now()
      // Fold pending events first: a handler failing on them keeps its read model out.
      for (const model of models) void model.state
      return models
        .filter((m) => !m.error)
        .map((m) => ({ name: m.definition.name, version: m.definition.version, position: m.position, state: m.state, savedAt }))
    },
  }
}
