import { corruptCheckpoint, judgeCheckpoint } from './checkpoints'
import type { EventEnvelope } from './event'
import type { Emitter } from './emitter'
import type { ChronicleError, ProjectionError } from './errors'
import type { FoldFailure, ReadModel, ReadModelFold } from './readModelFold'
import type { Snapshots } from './snapshots'
import type { StoredCheckpoint, StoredHorizon } from './storage/storage'
import type { Timeline } from './timeline'

/** What a cold start works on: the read models and what they share (`ReadModelSet`). */
export interface ReadModelSet {
  readonly models: readonly ReadModel[]
  readonly errors: Emitter<ChronicleError>
  readonly fold: ReadModelFold
  readonly snapshots: Snapshots
  /** The compaction horizon the log starts at (setting it forgets the horizon's states read before). */
  horizon: StoredHorizon | undefined
  readonly origin: number
  timeline: Timeline
  newTimeline(start: number): Timeline
  /** The position every read model has applied. */
  head: number
  originState(model: ReadModel): Promise<unknown>
  compactedError(model: ReadModel): ProjectionError
  fail(model: ReadModel, event: EventEnvelope, cause: unknown): void
  notify(): void
}

/**
 * Cold start: brings every read model to `head` from its stored checkpoint (where its version
 * matches and it can be trusted) plus the log after it; after a compaction, `compacted` holds
 * every read model's state at the horizon, where the log starts. Resolves with the position the
 * stored checkpoints cover: the oldest one a working read model started from (the origin for one
 * rebuilt from the log), so the next cold start replays from there; `-Infinity` when a stored
 * checkpoint is damaged, so that it is replaced soon.
 */
export async function startReadModels(
  set: ReadModelSet,
  checkpoints: readonly StoredCheckpoint[],
  readLog: (after: number) => AsyncIterable<EventEnvelope[]>,
  head: number,
  compacted: StoredHorizon | undefined,
): Promise<number> {
  const { models, errors, fold, snapshots } = set
  set.horizon = compacted
  const origin = set.origin
  const trusted = trustedCheckpoints(set, checkpoints, origin, head)
  let damaged = trusted.damaged
  const usable = (model: ReadModel) => trusted.usable.get(model)
  const from = Math.min(head, ...models.map((m) => usable(m)?.position ?? origin))
  const timeline = (set.timeline = set.newTimeline(from))
  for await (const page of readLog(from)) timeline.append(page)
  // An undo in the tail of a command before the tail cannot be taken back out of a
  // checkpoint's state: then every read model rebuilds from position 0.
  const reachesBack = timeline.historyAfter(from).some((e) => timeline.firstOf((e.payload as { commandId: string }).commandId) === undefined)
  if (reachesBack && from > origin) await snapshots.fromZero()
  const states = new Map<ReadModel, unknown>()
  const fromCheckpoint = new Set<ReadModel>()
  const unbuildable = new Set<ReadModel>()
  const reset = async (model: ReadModel) => {
    const state = await set.originState(model)
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
  const failures = new Map<ReadModel, FoldFailure>()
  const replay = (targets: ReadModel[]) => {
    const events = timeline.range(Math.min(...targets.map((m) => m.position)), head)
    for (const model of targets) {
      const failed = fold.mutable(model, states.get(model), events, timeline.undone)
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
      model.error = set.compactedError(model)
      errors.emit(model.error)
    } else if (failed) set.fail(model, failed.event, failed.cause)
    else model.position = head
    model.state = fold.freeze(states.get(model))
  }
  set.head = Math.max(set.head, head)
  snapshots.reset(set.head, models.map((m) => m.state))
  set.notify()
  // A damaged record is replaced at the first chance. A read model that failed is left out of
  // checkpoints: saving them would not spare its replay.
  if (damaged) return -Infinity
  const working = models.filter((m) => !m.error)
  return Math.min(head, ...working.map((m) => (fromCheckpoint.has(m) ? usable(m)!.position : origin)))
}

/** The stored checkpoints that can be trusted, by read model; a damaged one is reported and never shown. */
function trustedCheckpoints(set: ReadModelSet, checkpoints: readonly StoredCheckpoint[], origin: number, head: number) {
  const byName = new Map(checkpoints.map((c) => [c.name, c]))
  const usable = new Map<ReadModel, StoredCheckpoint>()
  let damaged = false
  for (const model of set.models) {
    const checkpoint = byName.get(model.definition.name)
    const verdict = judgeCheckpoint(checkpoint, model.definition, { origin, head })
    if (verdict === 'usable') usable.set(model, checkpoint!)
    else if (typeof verdict === 'object') {
      damaged = true
      set.errors.emit(corruptCheckpoint(model.definition.name, verdict.corrupt))
    }
  }
  return { usable, damaged }
}
