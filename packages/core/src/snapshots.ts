import { PositionError } from './errors'
import type { EventEnvelope } from './event'
import { isHistoryEvent } from './undoEvents'
import { indexAfterBy } from './positions'
import type { StoredHorizon } from './storage/storage'
import type { Timeline } from './timeline'

/** Every read model's state at one log position. */
export interface Snapshot {
  readonly position: number
  readonly states: readonly unknown[]
}

/** What snapshots need of a read model. */
export interface SnapshotModel {
  readonly index: number
  readonly error: unknown
  readonly handlers: Readonly<Record<string, ((draft: unknown, payload: unknown, envelope: EventEnvelope) => void) | undefined>>
}

/** A fold's result: the next state, or the event whose handler threw. */
export interface FoldResult {
  readonly next: unknown
  readonly failure: { readonly event: EventEnvelope; readonly cause: unknown } | undefined
}

/** Snapshots kept for undo when no travel index is kept (besides the cold-start one). */
const recentSnapshots = 8
/** Milliseconds of index building between two yields to the event loop. */
const indexSlice = 30
/**
 * A jump whose nearest snapshot lies more than this many times K events back folds from the origin
 * on a private plain object instead (measured in Chromium 156: ~0.5 µs an event, against ~5 µs in
 * an immer draft), then deep-freezes it: the first jumps, before the index is built.
 */
const plainFoldAbove = 4

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0))
/** Resolves in a task of its own, without the 4 ms that nested timers wait in browsers. */
const nextTask = () =>
  typeof MessageChannel === 'function'
    ? new Promise<void>((resolve) => {
        const channel = new MessageChannel()
        channel.port1.onmessage = () => {
          channel.port1.close()
          resolve()
        }
        channel.port2.postMessage(null)
      })
    : yieldToEventLoop()
/** How long a plain fold runs before it lets the page handle input (ms). */
const foldSlice = 8
/** Waits until the page is idle (at most 100 ms), where the page can tell; else for the next task. */
const idle = () =>
  typeof requestIdleCallback === 'function' ? new Promise<void>((resolve) => requestIdleCallback(() => resolve(), { timeout: 100 })) : yieldToEventLoop()

export interface SnapshotsContext<M extends SnapshotModel> {
  readonly models: readonly M[]
  /** Snapshot spacing in events. */
  readonly every: number
  timeline(): Timeline
  horizon(): StoredHorizon | undefined
  /** The live states, in model order. */
  liveStates(): unknown[]
  /** The position shown while travelling, or null when live. */
  travelling(): number | null
  /** One immer produce of `events` onto `state` (structural sharing). */
  fold(model: M, state: unknown, events: readonly EventEnvelope[], exclude: ReadonlySet<string>): FoldResult
  /** Deep-freezes a state the store hands out (in development; as it is in production). */
  freeze<T>(state: T): T
  /** Reports a handler failure on a model. */
  fail(model: M, event: EventEnvelope, cause: unknown): void
  /** A model's state at the origin (a fresh copy), or undefined when it cannot be rebuilt. */
  originState(model: M): Promise<unknown>
  /** Reads decoded log events with `after < seq <= to`. */
  loadLog(after: number, to: number): Promise<EventEnvelope[]>
}

/**
 * Read-model states at past positions, so undo and time travel fold only a few events. Without a
 * travel index: the state at the last cold start or compaction and the last few live states K
 * events apart (for undo). Once time travel is asked for, an index of snapshots at most K events
 * apart from the origin to the head: built once in the background, then kept up to date by the
 * live fold, whose states are immutable, so a snapshot is a reference, not a copy.
 */
export interface Snapshots {
  /** After a cold start: every read model's state at `position`. */
  reset(position: number, states: readonly unknown[]): void
  /**
   * The live fold reached `position`: keeps its states when K events have passed since the last
   * snapshot. The states are read only then (reading folds an unwatched read model's pending events).
   */
  live(position: number): void
  /** The latest snapshot at or before `limit`. */
  latestBefore(limit: number): Snapshot | undefined
  /** The origin snapshot (initial states, or those at the horizon), loading every older event into memory first. */
  fromZero(): Promise<Snapshot>
  /** After an undo or redo of commands starting at `from`: every read model's state at the head, folded from before it. */
  refold(from: number): Promise<unknown[]>
  /** Every read model's state at `p` (with `only`: that read model's; the others' entries are stale). */
  statesAt<M extends SnapshotModel>(p: number, undone?: 'then' | 'now', only?: M): Promise<readonly unknown[]>
  /** Builds the travel index in the background and keeps it from then on; resolves when it is complete. */
  index(): Promise<void>
  /** After a compaction: the log now starts at `horizon`. */
  setHorizon(horizon: StoredHorizon): void
  /** The store closed: a background build stops at its next slice. */
  stop(): void
}

const compactedTravel = (p: number, origin: number) =>
  new PositionError('compacted', `Position ${p} lies before the compaction horizon (${origin}); the log can show positions from ${origin} on.`)

/** Creates the snapshot store of a set of read models (see `Snapshots`). */
export function createSnapshots<M extends SnapshotModel>(context: SnapshotsContext<M>): Snapshots {
  return new SnapshotIndex(context)
}

class SnapshotIndex<M extends SnapshotModel> implements Snapshots {
  readonly #models: readonly M[]
  readonly #every: number
  /**
   * Sorted by position, one per position. Invariant: every snapshot holds the states a fold of the
   * log up to its position gives with the commands undone at the head left out (an undo or redo
   * drops the snapshots from the command's first event on).
   */
  #kept: Snapshot[]
  /** The snapshot of the last cold start or compaction, kept when only recent ones are. */
  #base: Snapshot
  /** Whether the travel index is kept (time travel was asked for). */
  #indexed = false
  #filling: Promise<void> | undefined
  #stopped = false

  constructor(private readonly context: SnapshotsContext<M>) {
    this.#models = context.models
    this.#every = Math.max(1, context.every)
    this.#base = { position: 0, states: context.liveStates() }
    this.#kept = [this.#base]
  }

  #origin(): number {
    return this.context.horizon()?.position ?? 0
  }

  /** Index of the first kept snapshot with a position above `p`. */
  #after(p: number): number {
    return indexAfterBy(this.#kept, p, (s) => s.position)
  }

  #insert(snapshot: Snapshot): void {
    if (snapshot.position < this.#origin()) return
    const at = this.#after(snapshot.position)
    if (this.#kept[at - 1]?.position === snapshot.position) this.#kept[at - 1] = snapshot
    else this.#kept.splice(at, 0, snapshot)
  }

  /** Without the index, only the base and the last few snapshots stay. */
  #trim(): void {
    const kept = this.#kept
    if (this.#indexed || kept.length <= recentSnapshots + 1) return
    const base = this.#base
    this.#kept = [...(kept.includes(base) ? [base] : []), ...kept.slice(-recentSnapshots).filter((s) => s !== base)]
  }

  reset(position: number, states: readonly unknown[]): void {
    this.#base = { position, states }
    this.#kept = [this.#base]
  }

  live(position: number): void {
    if (position - (this.#kept.at(-1)?.position ?? -Infinity) < this.#every) return
    this.#kept.push({ position, states: this.context.liveStates() })
    this.#trim()
  }

  latestBefore(limit: number): Snapshot | undefined {
    return this.#kept[this.#after(limit) - 1]
  }

  async fromZero(): Promise<Snapshot> {
    const { context } = this
    const timeline = context.timeline()
    const position = this.#origin()
    if (timeline.start > position && this.#models.length > 0) timeline.prepend(await context.loadLog(position, timeline.start), position)
    const states: unknown[] = []
    for (const m of this.#models) states.push(context.freeze((await context.originState(m)) ?? context.liveStates()[m.index]))
    const snapshot = { position, states }
    if (position === this.#origin() && (this.#kept[0]?.position ?? Infinity) > position) {
      // After a compaction this is the base that stays (the horizon's states are read only now).
      if (!this.#kept.includes(this.#base)) this.#base = snapshot
      this.#kept.unshift(snapshot)
    }
    return snapshot
  }

  /** One immer fold of `events` onto a snapshot's states (with `only`, just that model's). */
  #foldOnto(states: readonly unknown[], events: readonly EventEnvelope[], exclude: ReadonlySet<string>, only?: SnapshotModel): unknown[] {
    return states.map((state, index) => {
      const model = this.#models[index]!
      if (model.error || (only && model !== only) || events.length === 0) return state
      const { next, failure } = this.context.fold(model, state, events, exclude)
      if (!failure) return next
      this.context.fail(model, failure.event, failure.cause)
      return state
    })
  }

  /** Folds `events` onto a snapshot in chunks of K, keeping a snapshot per chunk; returns the last states. */
  #foldKeeping(from: Snapshot, events: readonly EventEnvelope[]): readonly unknown[] {
    const K = this.#every
    let states = from.states
    for (let i = 0; i < events.length; i += K) {
      const chunk = events.slice(i, i + K)
      states = this.#foldOnto(states, chunk, this.context.timeline().undone)
      this.#insert({ position: chunk.at(-1)!.seq, states })
    }
    return states
  }

  /**
   * The states at `p` folded from the origin on private plain objects, deep-frozen after; undefined
   * when a handler throws (the immer path then reports it).
   */
  async #plainFold(p: number, exclude: ReadonlySet<string>, only?: SnapshotModel): Promise<unknown[] | undefined> {
    const { context } = this
    const zero = await this.fromZero()
    const events = context.timeline().range(zero.position, p)
    // The fold lets the page handle input every `foldSlice` ms (it runs over private copies, so
    // nothing it folds is seen half done); an undo meanwhile must not change what it excludes.
    const excluded = new Set(exclude)
    let sliceStart = performance.now()
    const states = [...zero.states]
    for (const model of this.#models) {
      if (model.error || (only && model !== only)) continue
      const state = await context.originState(model)
      try {
        for (let i = 0; i < events.length; i++) {
          const event = events[i]!
          const handler = model.handlers[event.type]
          if (handler && !isHistoryEvent(event.type) && !excluded.has(event.meta.commandId)) handler(state, event.payload, event)
          if ((i & 255) === 255 && performance.now() - sliceStart > foldSlice) {
            await nextTask()
            sliceStart = performance.now()
          }
        }
      } catch {
        return undefined
      }
      states[model.index] = context.freeze(state)
      if (performance.now() - sliceStart > foldSlice) {
        await nextTask()
        sliceStart = performance.now()
      }
    }
    return states
  }

  /** Fills the index: every gap of more than K events between kept snapshots, from the origin up. */
  #fill(): Promise<void> {
    return (this.#filling ??= (async () => {
      const K = this.#every
      for (;;) {
        await idle()
        if (this.#stopped) return
        const sliceStart = Date.now()
        while (Date.now() - sliceStart < indexSlice) {
          if ((this.#kept[0]?.position ?? Infinity) > this.#origin()) {
            this.#insert(await this.fromZero())
            break
          }
          const kept = this.#kept
          const gap = kept.findIndex((s, i) => i + 1 < kept.length && kept[i + 1]!.position - s.position > K)
          if (gap < 0) return
          const from = kept[gap]!
          const events = this.context.timeline().range(from.position, from.position + K)
          this.#insert({ position: from.position + K, states: this.#foldOnto(from.states, events, this.context.timeline().undone) })
        }
      }
    })().finally(() => {
      this.#filling = undefined
    }))
  }

  async statesAt(p: number, undone: 'then' | 'now' = 'then', only?: SnapshotModel): Promise<readonly unknown[]> {
    const { context } = this
    const timeline = context.timeline()
    const origin = this.#origin()
    if (p === timeline.head && context.travelling() === null) return context.liveStates()
    if (p < origin) throw compactedTravel(p, origin)
    if (p < timeline.start) await this.fromZero()
    // Commands whose undo state changed after `p` must be folded from before their first event.
    let limit = p
    for (const event of undone === 'now' ? [] : timeline.historyAfter(p)) {
      const first = timeline.firstOf((event.payload as { commandId: string }).commandId)
      if (first === undefined && timeline.start > origin) {
        await this.fromZero()
        return this.statesAt(p, undone, only)
      }
      if (first !== undefined && first <= p) limit = Math.min(limit, first - 1)
    }
    const exclude = undone === 'now' ? timeline.undone : timeline.undoneAt(p)
    let snapshot = this.latestBefore(limit)
    if (!snapshot || limit - snapshot.position > plainFoldAbove * this.#every) {
      const plain = await this.#plainFold(p, exclude, only)
      if (plain) return plain
      snapshot = this.latestBefore(limit) ?? (await this.fromZero())
    }
    return this.#foldOnto(snapshot.states, timeline.range(snapshot.position, p), exclude, only)
  }

  index(): Promise<void> {
    this.#indexed = true
    return this.#fill()
  }

  stop(): void {
    this.#stopped = true
  }

  async refold(from: number): Promise<unknown[]> {
    // Snapshots from the command on hold its old undo state.
    this.#kept = this.#kept.slice(0, this.#after(from - 1))
    const snapshot = this.latestBefore(from - 1) ?? (await this.fromZero())
    this.#insert(snapshot)
    const timeline = this.context.timeline()
    const states = this.#foldKeeping(snapshot, timeline.range(snapshot.position, timeline.head))
    this.#trim()
    return [...states]
  }

  setHorizon(next: StoredHorizon): void {
    // The snapshot at the horizon is made when first needed (`fromZero`): it reads the horizon's states.
    this.#kept = this.#kept.slice(this.#after(next.position - 1))
  }
}
