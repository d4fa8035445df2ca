import { freeze } from 'immer'
import { ValidationError } from './errors'
import type { EventEnvelope } from './event'
import type { Horizon } from './storage/storage'
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
}

/** A fold's result: the next state, or the event whose handler threw. */
export interface FoldResult {
  readonly next: unknown
  readonly failure: { readonly event: EventEnvelope; readonly cause: unknown } | undefined
}

/** Recent snapshots kept for undo (each holds only what changed since the previous one). */
const recentSnapshots = 8
/** Milliseconds of snapshot building between two yields to the event loop. */
const indexSlice = 30

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

export interface SnapshotsContext<M extends SnapshotModel> {
  readonly models: readonly M[]
  /** Snapshot spacing in events. */
  readonly every: number
  timeline(): Timeline
  horizon(): Horizon | undefined
  /** The live states, in model order. */
  liveStates(): unknown[]
  /** The position shown while travelling, or null when live. */
  travelling(): number | null
  /** One immer produce of `events` onto `state` (structural sharing). */
  fold(model: M, state: unknown, events: readonly EventEnvelope[], exclude: ReadonlySet<string>): FoldResult
  /** Reports a handler failure on a model. */
  fail(model: M, event: EventEnvelope, cause: unknown): void
  /** A model's state at the origin (a fresh copy), or undefined when it cannot be rebuilt. */
  originState(model: M): unknown
  /** Reads decoded log events with `after < seq <= to`. */
  loadLog(after: number, to: number): Promise<EventEnvelope[]>
}

/**
 * Read-model states at past positions, so undo and time travel fold only a few events: the state
 * at the last cold start or compaction (`base`), the last few live states K events apart (for
 * undo), and, while travelling, an index of snapshots every K events from the origin.
 */
export interface Snapshots {
  /** After a cold start: every read model's state at `position`. */
  reset(position: number, states: readonly unknown[]): void
  /** The live fold reached `position`: keeps its states when K events have passed since the last snapshot. */
  live(position: number, states: readonly unknown[]): void
  /** The latest snapshot at or before `limit`. */
  latestBefore(limit: number): Snapshot | undefined
  /** The origin snapshot (initial states, or those at the horizon), loading every older event into memory first. */
  fromZero(): Promise<Snapshot>
  /** After an undo or redo of commands starting at `from`: every read model's state at the head, folded from before it. */
  refold(from: number): Promise<unknown[]>
  /** Every read model's state at `p` (with `only`: that read model's; the others' entries are stale). */
  statesAt<M extends SnapshotModel>(p: number, undone?: 'then' | 'now', only?: M): Promise<readonly unknown[]>
  /** After a compaction: the log now starts at `horizon`. */
  setHorizon(horizon: Horizon): void
  /** Back to live: the travel index is let go. */
  endTravel(): void
}

const compactedTravel = (p: number, origin: number) =>
  new ValidationError('compacted', `Position ${p} lies before the compaction horizon (${origin}); the log can show positions from ${origin} on.`)

export function createSnapshots<M extends SnapshotModel>(context: SnapshotsContext<M>): Snapshots {
  const { models } = context
  const K = Math.max(1, context.every)
  let base: Snapshot = { position: 0, states: context.liveStates() }
  let recent: Snapshot[] = []
  let travelIndex: Snapshot[] | undefined
  let generation = 0
  const origin = () => context.horizon()?.position ?? 0

  const pushRecent = (snapshot: Snapshot) => {
    recent.push(snapshot)
    if (recent.length > recentSnapshots) recent.shift()
  }

  const latestBefore = (limit: number): Snapshot | undefined =>
    [...(travelIndex ?? []), ...recent, base].filter((s) => s.position <= limit).reduce<Snapshot | undefined>((a, b) => (!a || b.position > a.position ? b : a), undefined)

  const fromZero = async (): Promise<Snapshot> => {
    const timeline = context.timeline()
    if (timeline.start > origin()) timeline.prepend(await context.loadLog(origin(), timeline.start), origin())
    return { position: origin(), states: models.map((m) => freeze(context.originState(m) ?? context.liveStates()[m.index], true)) }
  }

  /**
   * Folds `events` onto a snapshot's states in chunks of K, recording a snapshot per chunk. With
   * `only`, just that read model is folded (the others keep the snapshot's states): no snapshot may
   * be recorded from such a fold.
   */
  const foldFrom = (from: Snapshot, events: readonly EventEnvelope[], exclude: ReadonlySet<string>, record: (s: Snapshot) => void, only?: SnapshotModel): unknown[] => {
    let states = [...from.states]
    for (let i = 0; i < events.length; i += K) {
      const chunk = events.slice(i, i + K)
      states = states.map((state, index) => {
        const model = models[index]!
        if (model.error || (only && model !== only)) return state
        const { next, failure } = context.fold(model, state, chunk, exclude)
        if (failure) {
          context.fail(model, failure.event, failure.cause)
          return state
        }
        return next
      })
      record({ position: chunk.at(-1)!.seq, states })
    }
    return states
  }

  /**
   * Snapshots every K events from position 0, so any jump folds at most K events (plus undo).
   * Over a long log this takes a while (one produce per K events and read model), so it runs in
   * slices that let the page handle input and paint in between, and concurrent callers share one
   * build.
   */
  let indexing: Promise<void> | undefined
  const buildTravelIndex = () =>
    (indexing ??= (async () => {
      const zero = await fromZero()
      const built = generation
      const index: Snapshot[] = [zero]
      const timeline = context.timeline()
      const events = timeline.range(0, timeline.head)
      let sliceStart = Date.now()
      for (let i = 0; i < events.length; i += K) {
        foldFrom(index.at(-1)!, events.slice(i, i + K), timeline.undone, (s) => index.push(s))
        if (Date.now() - sliceStart < indexSlice) continue
        await yieldToEventLoop()
        // An undo or redo meanwhile changed what the snapshots must hold: this build is void.
        if (built !== generation) return
        sliceStart = Date.now()
      }
      if (built === generation) travelIndex = index
    })().finally(() => {
      indexing = undefined
    }))

  const statesAt = async (p: number, undone: 'then' | 'now' = 'then', only?: SnapshotModel): Promise<readonly unknown[]> => {
    const timeline = context.timeline()
    if (p === timeline.head && context.travelling() === null) return context.liveStates()
    if (p < origin()) throw compactedTravel(p, origin())
    if (p < timeline.start) await fromZero()
    // Commands whose undo state changed after `p` must be folded from before their first event.
    let limit = p
    for (const event of undone === 'now' ? [] : timeline.historyAfter(p)) {
      const first = timeline.firstOf((event.payload as { commandId: string }).commandId)
      if (first === undefined && timeline.start > origin()) {
        await fromZero()
        return statesAt(p, undone, only)
      }
      if (first !== undefined && first <= p) limit = Math.min(limit, first - 1)
    }
    if (!travelIndex) await buildTravelIndex()
    const snapshot = latestBefore(limit) ?? (await fromZero())
    return foldFrom(snapshot, timeline.range(snapshot.position, p), undone === 'now' ? timeline.undone : timeline.undoneAt(p), () => undefined, only)
  }

  return {
    reset(position, states) {
      base = { position, states }
      recent = []
    },

    live(position, states) {
      const previous = recent.at(-1)?.position ?? base.position
      if (position - previous >= K) pushRecent({ position, states })
    },

    latestBefore,
    fromZero,
    statesAt,

    async refold(from) {
      generation++
      recent = recent.filter((s) => s.position < from)
      if (travelIndex) travelIndex = travelIndex.filter((s) => s.position < from)
      const snapshot = latestBefore(from - 1) ?? (await fromZero())
      const timeline = context.timeline()
      const head = timeline.head
      return foldFrom(snapshot, timeline.range(snapshot.position, head), timeline.undone, (s) => {
        if (s.position >= head - K * recentSnapshots) pushRecent(s)
      })
    },

    setHorizon(next) {
      recent = recent.filter((s) => s.position >= next.position)
      // The index was built to compute the horizon states; it is only kept while travelling. A
      // build still under way (it yields between slices) predates the horizon: void it.
      travelIndex = undefined
      generation++
      if (base.position < next.position) base = { position: next.position, states: models.map((m) => freeze(context.originState(m) ?? context.liveStates()[m.index], true)) }
    },

    endTravel() {
      travelIndex = undefined
    },
  }
}
