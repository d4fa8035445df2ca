import type { Observable } from 'rxjs'
import type { AnyCommandDefinition, CommandContext, CommandInput } from './command'
import { createDispatcher, type Receipt } from './dispatcher'
import { ChronicleError, StorageError, TimeTravelActive, UndoConflict, ValidationError } from './errors'
import { createHistory, type History, type HistoryEntry } from './undoStack'
import { createEventDecoder, type AnyEventDefinition, type EventEnvelope } from './event'
import { admitCommand, applyToAggregate, streamOf } from './decide'
import { checkCommandOptions } from './envelope'
import { isProductionBuild } from './environment'
import { isHistoryEvent, scanStream } from './undoEvents'
import type { AnyAggregateDefinition } from './aggregate'
import { newId } from './ids'
import { createLeadership, soleLeadership, type LeadershipOptions } from './leader'
import { readCommandPages } from './logPages'
import type { AnyProjectionDefinition, ProjectionState } from './projection'
import type { AnyQueryDefinition, QueryDefinition } from './query'
import { reactionRunner, type AnyReactionDefinition } from './reaction'
import { createReadModels } from './readModels'
import { indexedDbStorage } from './storage/indexedDb'
import { createTabChannel } from './tabs'
import { createEmitter, createValueCell } from './emitter'
import type { EventLogStorage, Horizon, StorageBackend, StoredHorizon, StreamSnapshot } from './storage/storage'
import type { Principal } from './types'
import { createWriteModel } from './writeModel'
import type { StoreSync, SyncConnector } from './sync/types'
import type { SyncImplementation, SyncSession } from './sync/session'

/** Options of `createStore`. */
export interface StoreOptions {
  /** Names the event log (the IndexedDB database is `chronicle:<name>`). */
  readonly name: string
  readonly commands: readonly AnyCommandDefinition[]
  readonly projections?: readonly AnyProjectionDefinition[]
  readonly reactions?: readonly AnyReactionDefinition[]
  /** Where the log lives (default `indexedDbStorage()`; `memoryStorage()` for tests and SSR). */
  readonly storage?: StorageBackend
  /** Who issues this store's commands; handed to `authorize` and `handle`. */
  readonly principal?: Principal | (() => Principal)
  /** How often read-model checkpoints are saved at most, in ms (default 1000). */
  readonly checkpointInterval?: number
  /**
   * Events gathered after the stored checkpoints before the store saves new ones in the background
   * (default 1000), so a cold start replays at most about this many (plus those of one
   * `checkpointInterval`). Saving copies every read model whole, a long task for a large one, so a
   * short tail is not worth it. `store.checkpoint()`, `close()` and compaction always save.
   */
  readonly checkpointEvery?: number
  /** Commands per group commit at most (default 1000). */
  readonly maxBatch?: number
  /** Attempts of a command that keeps losing the race for its stream (default 5). */
  readonly maxAttempts?: number
  /** Read-model snapshot spacing in events (default 1000): an undo or time-travel jump folds at most about this many. */
  readonly snapshotEvery?: number
  /**
   * Deep-freeze read-model states (live, travelled, undone), so code that mutates one throws
   * instead of corrupting the read model and its snapshots. Default: on in development, off in an
   * app bundled for production (`process.env.NODE_ENV === 'production'`), where freezing costs a
   * walk of every changed record per update and, in V8, a hidden class per frozen version of a
   * growing record (docs/guarantees.md, "Frozen in development").
   */
  readonly freeze?: boolean
  /** Aggregate states kept in memory, by stream (default 5000). */
  readonly cachedStreams?: number
  /**
   * Set when other processes append to the same log (a sync server on PostgreSQL; default false).
   * Each group commit then reads what others appended to its streams since their cached states and
   * applies it, and a lost race puts the state back as it was instead of folding the stream again.
   */
  readonly sharedLog?: boolean
  /** Written into `meta.origin` of this store's events (default: a random id per store session). */
  readonly origin?: string
  /**
   * Sync with a server (`createSync({ url, auth })` from @chronicle/sync). Commands then go to an
   * outbox, read models show confirmed + provisional events, and the server's answers rebase them.
   */
  readonly sync?: SyncConnector
  /** Ask the browser for persistent storage (default true); the answer is in `storageInfo()`. */
  readonly persist?: boolean
  /** Heartbeat and takeover timing of the leadership among tabs (docs/tabs.md). */
  readonly leadership?: LeadershipOptions
  /**
   * Automatic compaction, so the log never grows without bound (docs/history.md). The leading tab
   * compacts when more than `keep + slack` events lie after the horizon, keeping the newest `keep`
   * (undo, redo and time travel reach that far back). Default `{ keep: 100_000 }`, `slack` 10% of
   * `keep`; `false` turns it off (then call `store.compact` yourself).
   */
  readonly compaction?: false | CompactionPolicy
}

/** When a store compacts its log by itself (`createStore({ compaction })`). */
export interface CompactionPolicy {
  /** Events kept after the horizon (at least 1). */
  readonly keep: number
  /** Events gathered beyond `keep` before the next compaction (default 10% of `keep`, at least 1). */
  readonly slack?: number
}

/** Options of `store.undoCommand`. */
export interface HistoryCommandOptions extends DispatchOptions {
  readonly kind?: 'undo' | 'redo'
  /** Id of the Undone/Redone command itself; makes it idempotent. */
  readonly commandId?: string
  readonly at?: number
}

/** Per-call options of `store.dispatch`. */
export interface DispatchOptions {
  /** Run this command as another principal than the store's (the sync server does, per request). */
  readonly principal?: Principal
  /**
   * `false` keeps the command off this session's undo stack (seed data, imports: work the user
   * did not do by hand). Default true.
   */
  readonly undoable?: boolean
}

/** What `store.compact` did. */
export interface CompactionResult {
  /** Events with `seq <= horizon` are gone. */
  readonly horizon: number
  /** How many events were removed. */
  readonly removed: number
  /** How many streams got an aggregate snapshot. */
  readonly streams: number
}

/** What the browser says about the store's storage. */
export interface StorageInfo {
  readonly persisted: boolean | undefined
  readonly usage: number | undefined
  readonly quota: number | undefined
}

/**
 * A Chronicle store: the write side (dispatch), the read side (read, query, settled), one log.
 */
export interface Store {
  readonly name: string
  /** This store session's id; written into every event's `meta.origin`. */
  readonly origin: string
  /** Resolves when the log is open and every read model has caught up (rejects with StorageError). */
  readonly ready: Promise<void>
  readonly isReady: boolean
  /** The log position every read model has applied. */
  readonly position: number
  readonly position$: Observable<number>
  /** Every failure not reported to a caller: projection errors, reaction failures, storage signals. */
  readonly errors$: Observable<ChronicleError>
  /**
   * True while this store leads the tabs that share its log (Web Locks; one at a time, handed on
   * when the leader closes, crashes or stops answering). Stores on memory storage always lead.
   */
  readonly isLeader: boolean
  readonly isLeader$: Observable<boolean>
  /**
   * Validates, authorizes and executes a command; resolves with a receipt once its events are
   * committed and every read model has applied them. Rejects with a typed error and writes
   * nothing when the command fails.
   */
  dispatch(command: CommandInput, options?: DispatchOptions): Promise<Receipt>
  /** The current state of a read model, synchronously. */
  read<P extends AnyProjectionDefinition>(projection: P): ProjectionState<P>
  /** The state of a read model (or a slice of it) now and whenever it changes. */
  query<P extends AnyProjectionDefinition, R = ProjectionState<P>>(
    projection: P,
    selector?: (state: ProjectionState<P>) => R,
    equal?: (a: R, b: R) => boolean,
  ): Observable<R>
  /** A parameterised query's result now and whenever it changes. */
  query<Q extends AnyQueryDefinition>(query: Q, params: ParamsOf<Q>, equal?: (a: ResultOf<Q>, b: ResultOf<Q>) => boolean): Observable<ResultOf<Q>>
  /** Resolves when every read model has applied `position` (default: the log head as this store knows it). */
  settled(position?: number): Promise<void>
  /** Undo and redo of this store session's own commands, last in first out. */
  readonly history: History
  /**
   * Undoes (or, with `kind: 'redo'`, redoes) any command by id, with the same checks as
   * `history.undo()`: the sync server runs a client's undo this way. With an explicit
   * `commandId` the undo itself is idempotent. The target is found among the events in memory
   * (those since the store started); an older one is read from the log, which for a command
   * dispatched without an explicit id means reading the whole log.
   */
  undoCommand(target: string, options?: HistoryCommandOptions): Promise<Receipt>
  /**
   * Shows every read model as of log position `position` (`null`: back to live). While
   * travelling, dispatch rejects with TimeTravelActive; live events keep being applied underneath,
   * so returning to live loses nothing. Travel stays in this store (tab).
   */
  travel(position: number | null): Promise<void>
  /** The position the store is showing, or null when live. */
  readonly travelling: number | null
  readonly travelling$: Observable<number | null>
  /** A read model's state as of a position, without travelling (inspectors, diffs). */
  stateAt<P extends AnyProjectionDefinition>(projection: P, position: number): Promise<ProjectionState<P>>
  /**
   * Builds the snapshot index that `travel` and `stateAt` jump from: every read model's state every
   * `snapshotEvery` events from the start of the log, folded in the background in short slices
   * while the page is idle. Resolves when it is complete; from then on the store keeps it up to date
   * as events arrive, so no jump folds more than about `snapshotEvery` events. The first `travel` or
   * `stateAt` starts it too (without waiting for it); call this ahead, when a history view opens, so
   * that no jump runs before the index is there. The index stays for the store's life (closing the store
   * stops a build under way; the promise then resolves early). Memory: a
   * snapshot shares every unchanged object with the next, but each holds its own copy of every object
   * that changed in between, so a flat record of N entries costs about N entries per snapshot.
   *
   * @example
   * await store.prepareTravel()
   * await store.travel(1200) // folds at most snapshotEvery events
   */
  prepareTravel(): Promise<void>
  /** Reads the log (with upcasting): events with `after < seq <= to`, at most `limit`. */
  log(range?: { readonly after?: number; readonly to?: number; readonly limit?: number }): Promise<EventEnvelope[]>
  /** The projections this store folds. */
  readonly projections: readonly AnyProjectionDefinition[]
  /** Sync status, rejections and confirmations; undefined without `createStore({ sync })`. */
  readonly sync: StoreSync | undefined
  /**
   * Removes the events before `before` from the log, keeping what they built: every read model's
   * state and every touched stream's aggregate state at the horizon. Undo, redo and time travel
   * stop at the horizon afterwards; rebuilds start from it.
   */
  compact(options: { readonly before: number }): Promise<CompactionResult>
  /** The log's compaction horizon: positions before it are gone (0 when never compacted). */
  readonly horizon: number
  /** Saves read-model checkpoints now. */
  checkpoint(): Promise<void>
  storageInfo(): Promise<StorageInfo>
  /** Waits for in-flight commands, saves checkpoints and closes the log. */
  close(): Promise<void>
}

/** The params type of a query definition. */
export type ParamsOf<Q> = Q extends QueryDefinition<AnyProjectionDefinition, infer P, unknown> ? P : never
/** The result type of a query definition. */
export type ResultOf<Q> = Q extends QueryDefinition<AnyProjectionDefinition, never, infer R> ? R : never

/** How long a due background checkpoint waits for the page to be idle, at most (ms). */
const idleCheckpointWait = 5000

/**
 * Creates a store over an event log. It opens the log, loads read-model checkpoints and replays the
 * tail in the background; `store.ready` tells when that is done, and commands wait for it.
 *
 * @example
 * const store = createStore({ name: 'kanban', commands: [addCard], projections: [boardView] })
 * const receipt = await store.dispatch(addCard({ boardId: 'b1', cardId: 'c1', title: 'Write docs' }))
 * store.query(boardView, (s) => s.columns.todo).subscribe(render)
 */
export function createStore(options: StoreOptions): Store {
  const origin = options.origin ?? newId()
  const commands = new Map<string, AnyCommandDefinition>()
  const eventDefinitions: AnyEventDefinition[] = []
  for (const command of options.commands) {
    if (commands.has(command.type)) throw new TypeError(`Two commands have the type "${command.type}"`)
    commands.set(command.type, command)
    eventDefinitions.push(...command.aggregate.events)
  }
  for (const projection of options.projections ?? []) eventDefinitions.push(...projection.events)
  const decode = createEventDecoder(eventDefinitions)
  const syncing = options.sync && implementationOf(options.sync)
  const readModels = createReadModels(options.projections ?? [], {
    snapshotEvery: options.snapshotEvery ?? 1000,
    freeze: options.freeze ?? !isProductionBuild(),
    loadLog: (after, to) => readInBackground(after, to),
    loadHorizonStates: async (position) => await log().compaction?.loadHorizonStates(position),
    ...(syncing ? { overlay: syncing.overlay } : {}),
  })
  const errors = createEmitter<ChronicleError>()
  readModels.errors.listen((error) => errors.emit(error))
  const position$ = createValueCell(0)
  const principal = () => (typeof options.principal === 'function' ? (options.principal as () => Principal)() : (options.principal as Principal))

  let storage: EventLogStorage | undefined
  let closed: StorageError | undefined
  let isReady = false
  let checkpointTimer: ReturnType<typeof setTimeout> | undefined
  /** The idle callback a due background checkpoint waits for (where the browser has them). */
  let checkpointIdle: number | undefined
  let lastCheckpoint = 0
  /** The log position the stored checkpoints cover: a cold start now would replay the log after it. */
  let checkpointedAt = 0
  const autoCompaction = compactionPolicy(options.compaction)
  let compactionTimer: ReturnType<typeof setTimeout> | undefined
  /** Where the last automatic compaction was tried: a failed one is tried again `slack` events later. */
  let compactionTriedAt = 0

  const decodeAll = (events: EventEnvelope[]) => events.map(decode)
  const log = () => {
    if (closed) throw closed
    if (!storage) throw new StorageError('closed', 'The store is not open yet')
    return storage
  }

  let sync: SyncSession | undefined
  const writeModel = createWriteModel({
    readStream: async (stream, after) => {
      const confirmed = decodeAll(await log().readStream(stream, after))
      return sync ? [...confirmed, ...sync.outbox.provisionalOf(stream, confirmed.at(-1)?.version ?? after)] : confirmed
    },
    loadSnapshot: async (stream) => (await log().compaction?.loadStreamSnapshot(stream)) ?? undefined,
    maxStreams: options.cachedStreams ?? 5000,
  })

  const pageSize = 25_000
  const readDecoded = async (after: number, range: { readonly to?: number; readonly limit: number }) => decodeAll(await log().readLog(after, range))
  // Pages end at command boundaries: a read model never shows half of a command (logPages.ts).
  const readFrom = (after: number) => readCommandPages(readDecoded, after, { pageSize })
  /**
   * Reads for work in the background (compaction, time travel before the in-memory timeline) in
   * small pages: IndexedDB builds a request's result on the page's thread, so a getAll of 100,000
   * events is one task of ~0.8 s, and a page of 2,000 one of ~15 ms.
   */
  const readInBackground = async (after: number, to: number): Promise<EventEnvelope[]> => {
    const events: EventEnvelope[] = []
    for await (const page of readCommandPages(readDecoded, after, { to, pageSize: backgroundPageSize })) for (const event of page) events.push(event)
    return events
  }

  // The code that runs reactions comes with their definitions (a store without them does not bundle it).
  const reactions = options.reactions?.length
    ? reactionRunner(options.reactions)(options.reactions, {
        // Follow-ups are not the user's own commands: they do not go on the undo stack.
        dispatch: (command) => dispatch(command, undefined, false),
        read: (projection) => readModels.read(projection),
        report: (error) => errors.emit(error),
      })
    : undefined

  /**
   * Brings every read model to the end of `events`, in log order: a gap before them (another
   * writer's events) is read from the log first. Work that cannot finish synchronously (a gap, an
   * undo's refold) is chained, so batches never overtake each other.
   */
  let chain: Promise<void> | undefined
  const applied = (events: EventEnvelope[], live: boolean) => {
    position$.set(readModels.position)
    scheduleCheckpoint()
    scheduleCompaction()
    if (live) reactions?.handle(events)
  }
  const enqueue = (work: () => Promise<void>) => {
    const next: Promise<void> = (chain ?? Promise.resolve()).then(work).finally(() => {
      if (chain === next) chain = undefined
    })
    chain = next
    return next
  }
  const ingest = (events: EventEnvelope[], live: boolean): void | Promise<void> => {
    const first = events[0]
    if (!first) return
    if (!chain && first.seq === readModels.position + 1) {
      const pending = readModels.apply(events)
      if (!pending) return applied(events, live)
      return enqueue(async () => {
        await pending
        applied(events, live)
      })
    }
    return enqueue(async () => {
      if (first.seq > readModels.position + 1) {
        // Another writer came first; it may also have compacted away what lies in between.
        if (sharedLog) await followHorizon()
        if (first.seq > readModels.position + 1) {
          for await (const page of readFrom(readModels.position)) {
            await readModels.apply(page.filter((e) => e.seq < first.seq))
            if (page.at(-1)!.seq >= first.seq - 1) break
          }
        }
      }
      const fresh = events.filter((e) => e.seq > readModels.position)
      if (fresh.length > 0) await readModels.apply(fresh)
      applied(events, live)
    })
  }

  /**
   * Another tab may have compacted the shared log. Learns its horizon: every cached stream state
   * is dropped (it may predate versions that were compacted away), and read models that are
   * behind the horizon, whose next events are gone, start again from the stored checkpoints and
   * horizon states, exactly as on a cold start. Runs in the ingest chain (`enqueue`).
   */
  async function followHorizon(): Promise<void> {
    const storage = log()
    const stored = await storage.compaction?.loadHorizon()
    if (!stored || stored.position <= readModels.origin) return
    writeModel.clear()
    if (readModels.position >= stored.position) return readModels.setHorizon(stored)
    if (readModels.travelling !== null) {
      await readModels.travel(null)
      travelling$.set(null)
    }
    await startReadModels(storage, stored)
  }

  /** Brings every read model to the head from its stored checkpoint (or the horizon, or zero), as on a cold start. */
  async function startReadModels(storage: EventLogStorage, horizon: StoredHorizon | undefined): Promise<void> {
    let checkpoints: Awaited<ReturnType<EventLogStorage['loadCheckpoints']>> = []
    let unreadable = false
    try {
      checkpoints = await storage.loadCheckpoints()
    } catch (error) {
      // A checkpoint that cannot be read only costs a rebuild (and is replaced soon).
      errors.emit(asChronicleError(error))
      unreadable = true
    }
    const covered = await readModels.start(checkpoints, readFrom, await storage.head(), horizon)
    checkpointedAt = unreadable ? -Infinity : covered
    position$.set(readModels.position)
  }

  const dispatcher = createDispatcher({
    // With sync on, commands go to the outbox; the log only takes what the server confirmed.
    append: (batch, admitted) => (sync ? sync.outbox.append(batch, admitted) : log().append(batch, { trust: tabs?.hearing ?? true })),
    writeModel,
    origin,
    head: () => readModels.position,
    onCommitted: (events) => {
      // With sync on these are provisional: the outbox channel tells the other tabs instead.
      if (sync) return undefined
      tabs?.announce(events.at(-1)!.seq)
      return ingest(events, true)
    },
    maxBatch: options.maxBatch ?? 1000,
    maxAttempts: options.maxAttempts ?? 5,
    sharedLog: options.sharedLog ?? false,
    // Changed since `version`: newer events, or (another tab compacted) a snapshot beyond it.
    streamChanged: async (stream, version) =>
      (await log().readStream(stream, version)).length > 0 || ((await log().compaction?.loadStreamSnapshot(stream))?.version ?? 0) > version,
    findCommand: (commandId) => log().findCommand(commandId),
    // Fold the read models while the transaction commits, on the positions the events will get if
    // nobody else writes in between (checked when they are published).
    whileAppending: (events) => {
      if (sync || chain) return
      let seq = readModels.position
      readModels.speculate(events.map((event) => ({ ...event, seq: ++seq })))
    },
  })

  // `sync` is read lazily by the write model and the dispatcher above; it exists only with sync on.
  // eslint-disable-next-line prefer-const
  sync = syncing?.start(options.sync!, {
    storeName: options.name,
    origin,
    log,
    commands,
    writeModel,
    readModels,
    exclusive: (work) => dispatcher.exclusive(work),
    decode,
    ingest: (events) => ingest(events, false),
    confirmedOwn: (events) => reactions?.handle(events),
    principal,
    sharedLog: (options.storage?.kind ?? 'indexeddb') === 'indexeddb',
    announce: () => tabs?.announce(readModels.position),
    leads: () => leadership.isLeader$,
    report: (error) => errors.emit(asChronicleError(error)),
  })

  const shutDown = (error: StorageError) => {
    if (closed) return
    closed = error
    dispatcher.close(error)
    readModels.stop()
    cancelCheckpoint()
    clearTimeout(compactionTimer)
    sync?.close()
    takingOver?.unsubscribe()
    tabs?.dispose()
    leadership.dispose()
  }

  /** Drops a due background checkpoint (closing saves at once, or not at all). */
  function cancelCheckpoint() {
    clearTimeout(checkpointTimer)
    if (checkpointIdle !== undefined) cancelIdleCallback(checkpointIdle)
    checkpointTimer = checkpointIdle = undefined
  }

  function scheduleCheckpoint() {
    if (checkpointTimer !== undefined || closed || (options.projections ?? []).length === 0) return
    // A short tail costs a cold start little; saving copies every read model whole.
    if (readModels.position - checkpointedAt < (options.checkpointEvery ?? 1000)) return
    const interval = options.checkpointInterval ?? 1000
    const wait = Math.max(0, lastCheckpoint + interval - Date.now())
    const save = () => {
      checkpointTimer = checkpointIdle = undefined
      void saveCheckpoints().catch((error: unknown) => errors.emit(asChronicleError(error)))
    }
    // Saving is one long task for large read models: run it when the page is idle, so it does not
    // land between a click and its answer (at most `idleCheckpointWait` ms later).
    checkpointTimer = setTimeout(() => {
      if (typeof requestIdleCallback === 'function') checkpointIdle = requestIdleCallback(save, { timeout: idleCheckpointWait })
      else save()
    }, wait)
  }

  /** Compacts in the background once enough events gathered after the horizon (leading tab only). */
  function scheduleCompaction() {
    if (!autoCompaction || compactionTimer !== undefined || closed || !storage?.compaction) return
    const { keep, slack } = autoCompaction
    const position = readModels.position
    if (position - readModels.origin <= keep + slack || position - compactionTriedAt <= slack) return
    if (readModels.travelling !== null || !leadership.isLeader) return
    compactionTimer = setTimeout(() => {
      compactionTriedAt = readModels.position
      compact(readModels.position - keep + 1)
        .catch((error: unknown) => {
          // Travelling or closing meanwhile is no failure: it is tried again later.
          if (!closed && !(error instanceof TimeTravelActive)) errors.emit(asChronicleError(error))
        })
        .finally(() => {
          compactionTimer = undefined
          // Commands went on meanwhile (a compaction waits for other tabs first): due again?
          scheduleCompaction()
        })
    }, 0)
  }

  async function saveCheckpoints() {
    lastCheckpoint = Date.now()
    const checkpoints = readModels.checkpoints()
    if (checkpoints.length > 0 && !closed) await log().saveCheckpoints(checkpoints)
    // Without a working read model there is nothing a checkpoint would spare.
    checkpointedAt = Math.min(readModels.position, ...checkpoints.map((c) => c.position))
  }

  const onPageHide = () => dispatcher.flush()

  const ready = (async () => {
    const opened = await (options.storage ?? indexedDbStorage()).open(options.name)
    storage = opened
    opened.onSignal((signal) => {
      const error =
        signal.type === 'version-change'
          ? new StorageError(
              signal.newVersion === null ? 'deleted' : 'version-change',
              signal.newVersion === null
                ? `The event log of "${options.name}" was deleted by another tab or the browser; this store is closed. Reload to start again.`
                : `Another tab opened the event log of "${options.name}" with a newer schema (${signal.newVersion}); this store closed its connection so the upgrade can proceed. Reload this tab.`,
            )
          : new StorageError(signal.type, signal.reason)
      shutDown(error)
      // The log is gone: the read models show what it holds now, nothing.
      if (error.code === 'deleted') {
        readModels.clear()
        position$.set(readModels.position)
      }
      errors.emit(error)
    })
    await startReadModels(opened, (await opened.compaction?.loadHorizon()) ?? undefined)
    await sync?.open()
    isReady = true
    if (typeof addEventListener === 'function') addEventListener('pagehide', onPageHide)
  })()
  ready.catch(() => undefined)

  async function dispatch(command: CommandInput, dispatchOptions: DispatchOptions | undefined, record: boolean): Promise<Receipt> {
    if (closed) throw closed
    if (readModels.travelling !== null) throw new TimeTravelActive(readModels.travelling)
    const definition = typeof command === 'object' && command !== null ? commands.get(command.type) : undefined
    if (!definition) {
      const type = typeof command === 'object' && command !== null ? String((command as { type?: unknown }).type) : typeof command
      throw new ValidationError('unknown-command', `Unknown command "${type}"; pass its definition to createStore({ commands }). Known: ${[...commands.keys()].join(', ')}`)
    }
    const opts = command.options ?? {}
    checkCommandOptions(definition.type, opts)
    const commandId = opts.commandId ?? newId()
    const context: CommandContext = {
      principal: dispatchOptions && 'principal' in dispatchOptions ? (dispatchOptions.principal as Principal) : principal(),
      commandId,
      at: opts.at ?? Date.now(),
    }
    const value = await admitCommand(definition, command.payload, context)
    const stream = streamOf(definition, value)
    if (!isReady) await ready
    const receipt = await dispatcher.submit({
      definition,
      payload: command.payload,
      value,
      stream,
      context,
      causationId: opts.causationId ?? commandId,
      correlationId: opts.correlationId ?? commandId,
      idempotent: opts.commandId !== undefined,
    })
    if (record && dispatchOptions?.undoable !== false && receipt.eventCount > 0) history.record({ commandId, stream, definition })
    return receipt
  }

  const submitHistory = (entry: HistoryEntry, kind: 'undo' | 'redo', opts: HistoryCommandOptions = {}) => {
    if (closed) return Promise.reject(closed)
    if (readModels.travelling !== null) return Promise.reject(new TimeTravelActive(readModels.travelling))
    try {
      checkCommandOptions(kind, opts)
    } catch (error) {
      return Promise.reject(error)
    }
    const commandId = opts.commandId ?? newId()
    return dispatcher.submit({
      definition: entry.definition,
      payload: null,
      value: null,
      stream: entry.stream,
      context: { principal: opts && 'principal' in opts ? (opts.principal as Principal) : principal(), commandId, at: opts.at ?? Date.now() },
      causationId: entry.commandId,
      correlationId: entry.commandId,
      idempotent: opts.commandId !== undefined,
      history: { kind, target: entry.commandId },
    })
  }

  async function undoCommand(target: string, opts: HistoryCommandOptions = {}): Promise<Receipt> {
    await ready
    // The events since the cold start are in memory; only an older command is looked for in storage.
    const seq = readModels.timeline.firstOf(target)
    const remembered = seq === undefined ? undefined : readModels.timeline.range(seq - 1, seq)[0]
    const first = remembered ?? (await log().readCommand(target)).find((e) => !isHistoryEvent(e.type))
    const definition = first && options.commands.find((c) => c.aggregate.events.some((e) => e.type === first.type))
    if (!first || !definition) {
      throw new UndoConflict('unknown-command', `Command ${target} wrote nothing this store knows (compacted, never written, or of another domain); it cannot be ${opts.kind === 'redo' ? 'redone' : 'undone'}.`)
    }
    return submitHistory({ commandId: target, stream: first.stream, definition }, opts.kind ?? 'undo', opts)
  }

  /** Throws ValidationError `invalid-position` unless `target` is a log position (0 to the head); `what` opens the message. */
  const checkPosition = (target: number, what: string) => {
    if (!Number.isInteger(target) || target < 0 || target > readModels.position) {
      throw new ValidationError('invalid-position', `${what} ${String(target)}: positions run from 0 to ${readModels.position}.`)
    }
  }

  const history = createHistory({
    submit: (entry, kind) => submitHistory(entry, kind),
    isUndone: (commandId) => readModels.timeline.undone.has(commandId),
  })
  const travelling$ = createValueCell<number | null>(null)

  /** Which aggregate a stream belongs to, from the types of its events. */
  const aggregateOfType = new Map<string, AnyAggregateDefinition>()
  for (const command of options.commands) for (const event of command.aggregate.events) aggregateOfType.set(event.type, command.aggregate)

  async function compact(before: number): Promise<CompactionResult> {
    await ready
    if (readModels.travelling !== null) throw new TimeTravelActive(readModels.travelling)
    const storage = log()
    const compaction = storage.compaction
    if (!compaction) throw new StorageError('unavailable', 'This storage cannot be compacted.')
    if (!Number.isInteger(before) || before < 1 || before > readModels.position + 1) {
      throw new ValidationError('invalid-position', `compact({ before }) takes a position from 1 to ${readModels.position + 1}, got ${String(before)}.`)
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
    await dispatcher.idle()
    await chain
    // What the removed events built, as the log means it now (with today's undo state).
    const states: Record<string, { version: number; state: unknown }> = {}
    for (const projection of options.projections ?? []) {
      states[projection.name] = { version: projection.version, state: await readModels.stateAt(projection, horizon, 'now') }
    }
    const removed = await readInBackground(origin, horizon)
    const snapshots: StreamSnapshot[] = []
    for (const stream of new Set(removed.map((e) => e.stream))) {
      const typed = removed.find((e) => e.stream === stream && aggregateOfType.has(e.type))
      const aggregate = typed && aggregateOfType.get(typed.type)
      if (!aggregate) {
        throw new ValidationError('unknown-stream', `Cannot compact: stream "${stream}" holds events of no aggregate this store knows, so its state could not be kept. Nothing was removed.`)
      }
      const previous = await compaction.loadStreamSnapshot(stream)
      const events = decodeAll(await storage.readStream(stream, previous?.version ?? 0))
      const upTo = Math.max(...removed.filter((e) => e.stream === stream).map((e) => e.version))
      const { effective } = scanStream(events)
      const state = previous ? previous.state : aggregate.initial()
      applyToAggregate(aggregate, state, effective.filter((e) => e.version <= upTo))
      snapshots.push({ stream, aggregate: aggregate.name, version: upTo, state })
    }
    // Checkpoints must cover the horizon: save them now (they are at the head).
    await saveCheckpoints()
    const record: Horizon = { position: horizon, states, compactedAt: Date.now() }
    await compaction.compact(record, snapshots)
    readModels.setHorizon(record)
    writeModel.clear()
    tabs?.announceCompaction('done')
    return { horizon, removed: removed.length, streams: snapshots.length }
  }

  // ── Tabs (docs/tabs.md): other tabs' commits arrive by BroadcastChannel; one tab leads. ──
  const sharedLog = (options.storage?.kind ?? 'indexeddb') === 'indexeddb'
  const tabs = sharedLog
    ? createTabChannel({
        name: options.name,
        ready,
        position: () => readModels.position,
        head: () => log().head(),
        readLog: readDecoded,
        followHorizon: () => enqueue(followHorizon),
        dropCaches: () => writeModel.clear(),
        apply(events) {
          // Another tab wrote these streams: the next command on them reads the new events first.
          for (const event of events) if (event.meta.origin !== origin) writeModel.drop(event.stream)
          return ingest(events, false)
        },
        report: (error) => errors.emit(error),
      })
    : undefined
  const leadership = sharedLog
    ? createLeadership(options.name, origin, {
        position: () => readModels.position,
        // A heartbeat ahead of this tab means it missed announcements (it was paused or frozen).
        heard: (head) => void (head > readModels.position && tabs?.catchUp(head)),
      }, options.leadership)
    : soleLeadership()
  // A tab that closed or crashed may have committed a last batch it never got to announce: the
  // tab that leads next reads the log up to the stored head, and its heartbeats tell the others.
  const takingOver = tabs && leadership.isLeader$.subscribe((leads) => {
    if (leads) void tabs.catchUp()
  })
  ready.catch(() => {
    // Never opened: neither follow other tabs nor lead them (dispatch still rejects with why).
    tabs?.dispose()
    leadership.dispose()
  })
  // ── end of tabs ──

  if (sync) void ready.then(() => sync?.connect(), () => undefined)

  const store: Store = {
    name: options.name,
    origin,
    ready,
    get isReady() {
      return isReady
    },
    get position() {
      return readModels.position
    },
    position$: position$.observable,
    errors$: errors.observable,
    get isLeader() {
      return leadership.isLeader
    },
    isLeader$: leadership.isLeader$,

    dispatch: (command, dispatchOptions) => dispatch(command, dispatchOptions, true),

    read: (projection) => readModels.read(projection) as never,
    history,
    undoCommand,
    projections: options.projections ?? [],
    sync: sync?.outbox.state.api,
    get travelling() {
      return readModels.travelling
    },
    travelling$: travelling$.observable,

    async travel(target) {
      await ready
      if (target !== null) {
        checkPosition(target, 'Cannot travel to')
        // Whatever is being committed lands first, so the live state is whole when we return.
        await dispatcher.idle()
        await chain
      }
      await readModels.travel(target)
      travelling$.set(readModels.travelling)
      // Later jumps fold from the index; this one did not wait for it.
      if (target !== null) void readModels.prepareTravel().catch(() => undefined)
    },

    get horizon() {
      return readModels.origin
    },

    async prepareTravel() {
      await ready
      await readModels.prepareTravel()
    },

    compact: (request) => compact(request.before),

    async stateAt(projection, target) {
      await ready
      checkPosition(target, 'No state at')
      const state = await readModels.stateAt(projection, target)
      void readModels.prepareTravel().catch(() => undefined)
      return state as never
    },

    async log(range = {}) {
      await ready
      return decodeAll(await log().readLog(range.after ?? 0, { ...(range.to === undefined ? {} : { to: range.to }), ...(range.limit === undefined ? {} : { limit: range.limit }) }))
    },


    query(definition: AnyProjectionDefinition | AnyQueryDefinition, ...rest: unknown[]): Observable<never> {
      if (definition.kind === 'query') {
        const [params, equal] = rest as [never, ((a: unknown, b: unknown) => boolean) | undefined]
        return readModels.watch(definition.projection, (state) => definition.select(state as never, params), equal) as Observable<never>
      }
      const [selector, equal] = rest as [((s: unknown) => unknown) | undefined, ((a: unknown, b: unknown) => boolean) | undefined]
      return readModels.watch(definition, selector, equal) as Observable<never>
    },

    async settled(target) {
      await ready
      const goal = target ?? (await log().head())
      if (readModels.position >= goal) return
      if (goal > (await log().head())) throw new ValidationError('invalid-position', `Position ${goal} is beyond the log head`)
      await ingest(await log().readLog(readModels.position, { to: goal }).then(decodeAll), false)
      await new Promise<void>((resolve) => {
        const reached = position$.observable.subscribe((p) => {
          if (p < goal) return
          resolve()
          queueMicrotask(() => reached.unsubscribe())
        })
      })
    },

    checkpoint: async () => {
      await ready
      await saveCheckpoints()
    },

    async storageInfo() {
      const manager = typeof navigator === 'undefined' ? undefined : navigator.storage
      const [persisted, estimate] = await Promise.all([manager?.persisted?.(), manager?.estimate?.()])
      return { persisted, usage: estimate?.usage, quota: estimate?.quota }
    },

    async close() {
      if (closed) return
      await ready.catch(() => undefined)
      await dispatcher.idle()
      if (storage) {
        cancelCheckpoint()
        await saveCheckpoints().catch(() => undefined)
      }
      if (typeof removeEventListener === 'function') removeEventListener('pagehide', onPageHide)
      shutDown(new StorageError('closed', `Store "${options.name}" is closed; create a new store to keep working.`))
      storage?.close()
    },
  }

  if (options.persist !== false && typeof navigator !== 'undefined' && navigator.storage?.persist && (options.storage?.kind ?? 'indexeddb') === 'indexeddb') {
    // Reported through storageInfo(), never required: browsers may say no.
    void navigator.storage.persist().catch(() => false)
  }
  return store
}

function asChronicleError(error: unknown): ChronicleError {
  return error instanceof ChronicleError ? error : new StorageError('failed', String(error), { cause: error })
}

/** What the connector's `outbox` holds (`syncOutbox`), checked: a connector without it cannot sync. */
function implementationOf(connector: SyncConnector): SyncImplementation {
  const implementation = connector.outbox as unknown as Partial<SyncImplementation> | undefined
  if (typeof implementation?.start !== 'function' || typeof implementation.overlay !== 'function') {
    throw new TypeError('createStore({ sync }) takes a connector with outbox: syncOutbox (from @chronicle/core); createSync from @chronicle/sync makes one.')
  }
  return implementation as SyncImplementation
}

/** Milliseconds between telling other tabs a compaction is coming and removing events. */
const compactionGrace = 500
/** Events per read for work in the background (see `readInBackground`). */
const backgroundPageSize = 2000

/** The store's compaction policy, checked: `undefined` when it is off. */
function compactionPolicy(option: StoreOptions['compaction']): Required<CompactionPolicy> | undefined {
  if (option === false) return undefined
  const keep = option?.keep ?? 100_000
  const slack = option?.slack ?? Math.max(1, Math.floor(keep / 10))
  if (!Number.isInteger(keep) || keep < 1 || !Number.isInteger(slack) || slack < 1) {
    throw new ValidationError('invalid-option', `createStore({ compaction }) takes { keep, slack? } with whole numbers of at least 1 (or false), got ${JSON.stringify(option)}.`)
  }
  return { keep, slack }
}
