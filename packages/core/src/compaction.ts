import type { AnyAggregateDefinition } from './aggregate'
import type { Checkpointing } from './checkpointing'
import { applyToAggregate } from './decide'
import type { Dispatcher } from './dispatcher'
import { ConfigurationError, PositionError, StorageError, TimeTravelActive } from './errors'
import { asChronicleError, type StoreKernel } from './kernel'
import type { Leadership } from './leader'
import type { CompactionPolicy, CompactionResult, StoreOptions } from './storeOptions'
import type { Horizon, StreamSnapshot } from './storage/storage'
import type { TabChannel } from './tabs'
import { scanStream } from './undoEvents'

/** Milliseconds between telling other tabs a compaction is coming and removing events. */
const compactionGrace = 500

/**
 * Compaction, so the log never grows without bound (docs/history.md): removes the events before
 * a position, keeping what they built (every read model's state and every touched stream's
 * aggregate state at the horizon), and, with a policy, does so by itself in the leading tab.
 */
export class Compaction {
  readonly #policy: Required<CompactionPolicy> | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  /** Where the last automatic compaction was tried: a failed one is tried again `slack` events later. */
  #triedAt = 0
  /** Which aggregate a stream belongs to, from the types of its events. */
  readonly #aggregateOfType = new Map<string, AnyAggregateDefinition>()

  constructor(
    private readonly kernel: StoreKernel,
    private readonly dispatcher: Dispatcher,
    private readonly checkpointing: Checkpointing,
    private readonly tabs: TabChannel | undefined,
    private readonly leadership: Leadership,
  ) {
    this.#policy = compactionPolicy(kernel.options.compaction)
    for (const command of kernel.options.commands) for (const event of command.aggregate.events) this.#aggregateOfType.set(event.type, command.aggregate)
    kernel.onApplied(() => this.schedule())
    kernel.onShutDown(() => clearTimeout(this.#timer))
  }

  /** `store.compact({ before })`: removes the events with `seq < before`. */
  async compact(before: number): Promise<CompactionResult> {
    const { kernel, tabs } = this
    const { readModels } = kernel
    if (readModels.travelling !== null) throw new TimeTravelActive(readModels.travelling)
    const storage = kernel.log().compaction
    if (!storage) throw new StorageError('unavailable', 'This storage cannot be compacted.')
    if (!Number.isInteger(before) || before < 1 || before > readModels.position + 1) {
      throw new PositionError('invalid-position', `compact({ before }) takes a position from 1 to ${readModels.position + 1}, got ${String(before)}.`)
    }
    const horizon = before - 1
    const origin = readModels.origin
    if (horizon <= origin) return { horizon: origin, removed: 0, streams: 0 }
    if (tabs?.hearing) {
      // Other tabs drop their cached stream states first: one that predates events about to be
      // removed would decide on stale state, and its versions would no longer collide.
      tabs.announceCompaction('start')
      await new Promise((resolve) => setTimeout(resolve, compactionGrace))
      if (readModels.travelling !== null) throw new TimeTravelActive(readModels.travelling)
    }
    await this.dispatcher.idle()
    await kernel.ingested()
    // What the removed events built, as the log means it now (with today's undo state).
    const states: Record<string, { version: number; state: unknown }> = {}
    for (const projection of kernel.options.projections ?? []) {
      states[projection.name] = { version: projection.version, state: await readModels.stateAt(projection, horizon, 'now') }
    }
    const removed = await kernel.readInBackground(origin, horizon)
    const snapshots = await this.#streamSnapshots(removed)
    // Checkpoints must cover the horizon: save them now (they are at the head).
    await this.checkpointing.save()
    const record: Horizon = { position: horizon, states, compactedAt: Date.now() }
    await storage.compact(record, snapshots)
    readModels.setHorizon(record)
    kernel.writeModel.clear()
    tabs?.announceCompaction('done')
    return { horizon, removed: removed.length, streams: snapshots.length }
  }

  /** Every stream the removed events touched, as an aggregate snapshot at its last removed version. */
  async #streamSnapshots(removed: readonly { readonly stream: string; readonly type: string; readonly version: number }[]): Promise<StreamSnapshot[]> {
    const log = this.kernel.log()
    const snapshots: StreamSnapshot[] = []
    for (const stream of new Set(removed.map((e) => e.stream))) {
      const typed = removed.find((e) => e.stream === stream && this.#aggregateOfType.has(e.type))
      const aggregate = typed && this.#aggregateOfType.get(typed.type)
      if (!aggregate) {
        throw new ConfigurationError('unknown-stream', `Cannot compact: stream "${stream}" holds events of no aggregate this store knows, so its state could not be kept. Nothing was removed.`)
      }
      const previous = await log.compaction?.loadStreamSnapshot(stream)
      const events = this.kernel.decodeAll(await log.readStream(stream, previous?.version ?? 0))
      const upTo = Math.max(...removed.filter((e) => e.stream === stream).map((e) => e.version))
      const { effective } = scanStream(events)
      const state = previous ? previous.state : aggregate.initial()
      applyToAggregate(aggregate, state, effective.filter((e) => e.version <= upTo))
      snapshots.push({ stream, aggregate: aggregate.name, version: upTo, state })
    }
    return snapshots
  }

  /** Compacts in the background once enough events gathered after the horizon (leading tab only). */
  schedule(): void {
    const { kernel } = this
    const policy = this.#policy
    if (!policy || this.#timer !== undefined || kernel.closed || !kernel.opened || !kernel.log().compaction) return
    const { keep, slack } = policy
    const { readModels } = kernel
    const position = readModels.position
    if (position - readModels.origin <= keep + slack || position - this.#triedAt <= slack) return
    if (readModels.travelling !== null || !this.leadership.isLeader) return
    this.#timer = setTimeout(() => {
      this.#triedAt = readModels.position
      this.compact(readModels.position - keep + 1)
        .catch((error: unknown) => {
          // Travelling or closing meanwhile is no failure: it is tried again later.
          if (!kernel.closed && !(error instanceof TimeTravelActive)) kernel.errors.emit(asChronicleError(error))
        })
        .finally(() => {
          this.#timer = undefined
          // Commands went on meanwhile (a compaction waits for other tabs first): due again?
          this.schedule()
        })
    }, 0)
  }
}

/** The store's compaction policy, checked: `undefined` when it is off. */
export function compactionPolicy(option: StoreOptions['compaction']): Required<CompactionPolicy> | undefined {
  if (option === false) return undefined
  const keep = option?.keep ?? 100_000
  const slack = option?.slack ?? Math.max(1, Math.floor(keep / 10))
  if (!Number.isInteger(keep) || keep < 1 || !Number.isInteger(slack) || slack < 1) {
    throw new ConfigurationError('invalid-option', `createStore({ compaction }) takes { keep, slack? } with whole numbers of at least 1 (or false), got ${JSON.stringify(option)}.`)
  }
  return { keep, slack }
}
