import { enableMapSet, Immer } from 'immer'
import { Observable } from 'rxjs'
import { startReadModels } from './coldStart'
import { createEmitter } from './emitter'
import { ChronicleError, ConfigurationError, PositionError, ProjectionError } from './errors'
import type { EventEnvelope } from './event'
import type { Overlay } from './overlayTypes'
import type { ReadModels, ReadModelsOptions } from './readSide'
import type { AnyProjectionDefinition } from './projection'
import { InFlight, unchanged } from './inFlight'
import { ReadModelFold, type ReadModel } from './readModelFold'
import { createSnapshots, type Snapshots } from './snapshots'
import type { Horizon, StoredCheckpoint, StoredHorizon } from './storage/storage'
import { createTimeline, type Timeline } from './timeline'
import { isHistoryEvent } from './undoEvents'

// Read models may hold Maps and Sets: the fastest container for a large keyed collection (V8 copies
// a Map of 80,000 entries ~4x faster than a record of as many keys, and every immutable update of
// the collection copies it). Immer needs its MapSet plugin for them; enabling it only adds support.
enableMapSet()

export type { OverlayFactory, ReadModels, ReadModelsOptions } from './readSide'

/** Creates the read models of `projections` (see `ReadModels`). */
export function createReadModels(projections: readonly AnyProjectionDefinition[], options: ReadModelsOptions): ReadModels {
  return new ReadModelSet(projections, options)
}

/** The read models of one store; `coldStart.ts` brings them up from checkpoints. */
export class ReadModelSet implements ReadModels {
  readonly models: ReadModel[] = []
  readonly #byName = new Map<string, ReadModel>()
  readonly errors = createEmitter<ChronicleError>()
  readonly fold: ReadModelFold
  readonly snapshots: Snapshots
  /** With sync on: the outbox's provisional events, shown on top of the confirmed states. */
  readonly #overlay: Overlay | undefined
  #timeline: Timeline
  /** @internal The position every read model has applied (failed ones excepted). */
  head = 0
  /** States shown while travelling, by model index. */
  #shown: readonly unknown[] | undefined
  #travelling: number | null = null
  /** The batch being committed, folded ahead (and shown, unless the store is committed-only). */
  readonly inFlight: InFlight
  #horizon: StoredHorizon | undefined
  /** The horizon's read-model states, read once when first needed (a cold start does not). */
  #horizonStates: Promise<Horizon['states']> | undefined

  constructor(
    projections: readonly AnyProjectionDefinition[],
    private readonly options: ReadModelsOptions,
  ) {
    // A private immer instance: the app's own immer (Redux Toolkit's, say) keeps its settings.
    const immer = new Immer({ autoFreeze: options.freeze })
    this.fold = new ReadModelFold(immer, options.freeze, () => this.#timeline.undone, (model, event, cause) => this.fail(model, event, cause))
    const fold = this.fold
    for (const definition of projections) {
      if (this.#byName.has(definition.name)) throw new ConfigurationError('duplicate-projection', `Two projections are named "${definition.name}"; give each projection a name of its own.`)
      const model: ReadModel = {
        index: this.models.length,
        definition,
        handlers: definition.on as ReadModel['handlers'],
        folded: fold.freeze(structuredClone(definition.initial)),
        pending: undefined,
        get state() {
          if (this.pending) fold.pending(this)
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
      this.models.push(model)
      this.#byName.set(definition.name, model)
    }
    this.#timeline = this.newTimeline(0)
    this.snapshots = createSnapshots({
      models: this.models,
      every: options.snapshotEvery,
      timeline: () => this.#timeline,
      horizon: () => this.#horizon,
      liveStates: () => this.models.map((m) => m.state),
      travelling: () => this.#travelling,
      fold: fold.draft,
      freeze: (state) => fold.freeze(state),
      fail: (model, event, cause) => this.fail(model, event, cause),
      originState: (model) => this.originState(model),
      loadLog: options.loadLog,
    })
    this.inFlight = new InFlight(fold, this.models, () => this.#timeline.undone, options.optimistic ?? true, (m) => (this.#overlay?.states ? this.#overlay.states[m.index] : m.state))
    this.#overlay = options.overlay?.({ models: this.models, timeline: () => this.#timeline, horizon: () => this.#horizon, snapshots: this.snapshots, fold: fold.draft })
  }

  get position(): number {
    return this.head
  }

  get timeline(): Timeline {
    return this.#timeline
  }

  set timeline(next: Timeline) {
    this.#timeline = next
  }

  get travelling(): number | null {
    return this.#travelling
  }

  get origin(): number {
    return this.#horizon?.position ?? 0
  }

  /** The compaction horizon the log starts at, if any. */
  get horizon(): StoredHorizon | undefined {
    return this.#horizon
  }

  set horizon(next: StoredHorizon | undefined) {
    this.#horizon = next
    this.#horizonStates = undefined
  }

  /** A timeline from `start`; without read models nothing is ever folded, so it keeps no events in memory (the sync server's store). */
  newTimeline(start: number): Timeline {
    return createTimeline(start, { keepEvents: this.models.length > 0 })
  }

  start(checkpoints: readonly StoredCheckpoint[], readLog: (after: number) => AsyncIterable<EventEnvelope[]>, head: number, horizon?: StoredHorizon): Promise<number> {
    this.inFlight.take() // what was folded ahead of them is void: its commit, if any, is in the log
    return startReadModels(this, checkpoints, readLog, head, horizon)
  }

  /** The horizon's read-model states, read once (a cold start does not need them). */
  #statesAtHorizon(at: StoredHorizon): Promise<Horizon['states']> {
    if (at.states) return Promise.resolve(at.states)
    return (this.#horizonStates ??= (async () => {
      const states = await this.options.loadHorizonStates?.(at.position)
      // Another tab compacted again meanwhile: the positions before its horizon are gone too.
      if (!states) throw new PositionError('compacted', `The log was compacted again (past position ${at.position}) by another tab; this tab follows it, try again.`)
      return states
    })().catch((error: unknown) => {
      // A failed read is tried again next time, not remembered.
      if (this.#horizon === at) this.#horizonStates = undefined
      throw error
    }))
  }

  /** A model's state at the origin: its initial state, or its state at the compaction horizon (undefined: it cannot be rebuilt). */
  async originState(model: ReadModel): Promise<unknown> {
    const horizon = this.#horizon
    if (!horizon) return structuredClone(model.definition.initial)
    const kept = (await this.#statesAtHorizon(horizon))[model.definition.name]
    return kept && kept.version === model.definition.version ? structuredClone(kept.state) : undefined
  }

  /** The error of a read model whose version changed after the log was compacted: it cannot be rebuilt. */
  compactedError(model: ReadModel): ProjectionError {
    return new ProjectionError(
      model.definition.name,
      `Projection ${model.definition.name} (version ${model.definition.version}) cannot be rebuilt: the log was compacted up to position ${this.#horizon?.position ?? 0} when it had another version. Keep its previous handlers until the horizon, or start a new log.`,
      { code: 'compacted' },
    )
  }

  #modelOf(definition: AnyProjectionDefinition): ReadModel {
    const model = this.#byName.get(definition.name)
    if (!model || model.definition !== definition) {
      throw new ConfigurationError('unknown-projection', `Projection "${definition.name}" is not part of this store; pass it to createStore({ projections }).`)
    }
    return model
  }

  /** Records a handler's failure on a model (it stays at the event before) and reports it. */
  fail(model: ReadModel, event: EventEnvelope, cause: unknown): void {
    model.error = new ProjectionError(
      model.definition.name,
      `Projection ${model.definition.name} failed on event ${event.seq} (${event.type}): ${cause instanceof Error ? cause.message : String(cause)}. It stays at the event before; fix the handler and bump its version to rebuild it.`,
      { cause, eventId: event.id },
    )
    this.errors.emit(model.error)
  }

  /** What `model` shows: as travelled to; or its provisional state (the outbox's, the batch in flight's); or its confirmed state (`committed`). */
  #visible(model: ReadModel, committed = false): unknown {
    const shown = this.#shown
    if (shown || committed) return shown ? shown[model.index] : model.state
    const ahead = this.inFlight.stateOf(model, this.head)
    return ahead !== unchanged ? ahead : this.#overlay?.states ? this.#overlay.states[model.index] : model.state
  }

  provisional(definition?: AnyProjectionDefinition): boolean {
    if (this.#shown) return false
    const shows = (model: ReadModel) => this.inFlight.shows(model, this.head) || (this.#overlay?.states?.[model.index] ?? model.state) !== model.state
    return definition ? shows(this.#modelOf(definition)) : this.models.some(shows)
  }

  /** Tells the subscribers of `which` (with an overlay: of every read model, once it is computed). */
  notify(which: readonly ReadModel[] = this.models): void {
    if (this.#travelling !== null) return
    const overlay = this.#overlay
    if (overlay?.active) {
      const overlaid = overlay.compute()
      if (overlaid) {
        overlaid.then(
          () => {
            if (this.#travelling === null) for (const model of this.models) model.changed.emit()
          },
          // Older events could not be read: the overlay stays as it was, and the store hears why.
          (error: unknown) => {
            if (error instanceof ChronicleError) this.errors.emit(error)
          },
        )
        return
      }
      which = this.models
    }
    for (const model of which) model.changed.emit()
  }

  /** After an undo or redo of commands starting at `from`: refold every read model from before it. */
  async #refold(from: number): Promise<void> {
    const states = await this.snapshots.refold(from)
    const head = this.#timeline.head
    for (const model of this.models) {
      if (model.error) continue
      model.state = states[model.index]
      model.position = head
    }
  }

  speculate(events: readonly EventEnvelope[]): void {
    this.notify(this.inFlight.speculate(events, this.head))
  }

  abandon(): boolean {
    const shown = this.inFlight.drop()
    this.notify(shown)
    return shown.length > 0
  }

  apply(events: readonly EventEnvelope[]): void | Promise<void> {
    const wasShown = this.inFlight.active
    const ahead = this.inFlight.take()
    const shownAhead = wasShown && ahead ? this.models.filter((m) => m.index in ahead.next) : []
    const fresh = events.filter((e) => e.seq > this.head)
    if (fresh.length === 0) return this.notify(shownAhead)
    const last = fresh.at(-1)!.seq
    // The events committed as predicted, and nothing moved in between: publish what was folded
    // while they were committing.
    const predicted =
      ahead !== undefined &&
      ahead.base === this.head &&
      ahead.events.length === fresh.length &&
      ahead.events.every((e, i) => e.id === fresh[i]!.id && e.seq === fresh[i]!.seq) &&
      this.models.every((m, i) => !(i in ahead.next) || (m.folded === ahead.from[i] && !m.pending && !m.error))
    this.#timeline.append(fresh)
    const history = fresh.filter((e) => isHistoryEvent(e.type))
    if (history.length > 0) {
      const firsts = history.map((e) => this.#timeline.firstOf((e.payload as { commandId: string }).commandId) ?? 0)
      return this.#refold(Math.min(...firsts)).then(() => {
        this.head = last
        this.notify()
      })
    }
    // Read models that showed the batch ahead are told even if the commit did not change them.
    const moved: ReadModel[] = predicted ? [] : [...shownAhead]
    for (const model of this.models) {
      if (predicted && model.index in ahead.next) {
        model.state = ahead.next[model.index]
        model.position = last
        moved.push(model)
      } else if (model.changed.observed) {
        if (this.fold.live(model, fresh, last) && !moved.includes(model)) moved.push(model)
      } else this.fold.defer(model, fresh, last)
    }
    this.head = last
    this.snapshots.live(last)
    // Only now, with every read model at `last`, tell subscribers.
    this.notify(moved)
  }

  read(definition: AnyProjectionDefinition, committed?: boolean): unknown {
    return this.#visible(this.#modelOf(definition), committed)
  }

  setPending(events: readonly EventEnvelope[]): void | Promise<void> {
    const overlay = this.#overlay
    if (!overlay) throw new ConfigurationError('invalid-connector', 'These read models were created without an overlay: only a store created with { sync } shows provisional events.')
    overlay.set(events)
    const changed = () => {
      this.inFlight.take() // the batch in flight, if any, is in the outbox now
      if (this.#travelling === null) for (const model of this.models) model.changed.emit()
    }
    const overlaid = overlay.compute()
    if (!overlaid) return changed()
    return overlaid.then(changed)
  }

  watch(definition: AnyProjectionDefinition, select?: (state: unknown) => unknown, equal: (a: unknown, b: unknown) => boolean = Object.is, committed?: boolean): Observable<unknown> {
    const model = this.#modelOf(definition)
    return new Observable<unknown>((subscriber) => {
      let last: { readonly value: unknown } | undefined
      // Reading the state folds its pending events, which may fail: read first, then look.
      const emit = () => {
        const current = this.#visible(model, committed)
        if (model.error && !this.#shown) return subscriber.error(model.error)
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
      const stopErrors = this.errors.listen((error) => {
        if (error === model.error && !this.#shown) subscriber.error(error)
      })
      return () => {
        stopChanges()
        stopErrors()
      }
    })
  }

  async stateAt(definition: AnyProjectionDefinition, p: number, undone?: 'then' | 'now'): Promise<unknown> {
    const model = this.#modelOf(definition)
    return (await this.snapshots.statesAt(p, undone, model))[model.index]
  }

  setHorizon(next: StoredHorizon): void {
    this.horizon = next
    if (this.#timeline.start < next.position) {
      const kept = this.#timeline.range(next.position, this.#timeline.head)
      this.#timeline = this.newTimeline(next.position)
      this.#timeline.append(kept)
    }
    this.snapshots.setHorizon(next)
  }

  async travel(p: number | null): Promise<void> {
    if (p === null) {
      this.#shown = undefined
      this.#travelling = null
      this.notify()
      return
    }
    const states = await this.snapshots.statesAt(p)
    this.#shown = states
    this.#travelling = null
    this.notify()
    this.#travelling = p
  }

  prepareTravel(): Promise<void> {
    return this.snapshots.index()
  }

  stop(): void {
    this.snapshots.stop()
  }

  clear(): void {
    this.#travelling = null
    this.#shown = undefined
    this.inFlight.take()
    this.horizon = undefined
    this.#timeline = this.newTimeline(0)
    this.head = 0
    this.#overlay?.set([])
    void this.#overlay?.compute()
    for (const model of this.models) {
      model.state = this.fold.freeze(structuredClone(model.definition.initial))
      model.position = 0
      model.error = undefined
    }
    this.snapshots.reset(0, this.models.map((m) => m.state))
    for (const model of this.models) model.changed.emit()
  }

  checkpoints(): StoredCheckpoint[] {
    const savedAt = Date.now()
    // Fold pending events first: a handler failing on them keeps its read model out.
    for (const model of this.models) void model.state
    return this.models
      .filter((m) => !m.error)
      .map((m) => ({ name: m.definition.name, version: m.definition.version, position: m.position, state: m.state, savedAt }))
  }
}
