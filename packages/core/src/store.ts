import { BehaviorSubject, Observable, Subject, distinctUntilChanged, filter, firstValueFrom, map } from 'rxjs'
import type { AnyCommandDefinition, CommandContext, CommandInput } from './command'
import { createDispatcher, type Receipt } from './dispatcher'
import { ChronicleError, StorageError, ValidationError } from './errors'
import { createEventDecoder, type AnyEventDefinition, type EventEnvelope } from './event'
import { admitCommand, streamOf } from './execute'
import { newId } from './ids'
import { createLeadership, soleLeadership, type LeadershipOptions } from './leader'
import { readCommandPages } from './logPages'
import type { AnyProjectionDefinition, ProjectionState } from './projection'
import type { AnyQueryDefinition, QueryDefinition } from './query'
import { createReactions } from './reactions'
import type { AnyReactionDefinition } from './reaction'
import { createReadModels } from './readModels'
import { indexedDbStorage } from './storage/indexedDb'
import { createTabChannel } from './tabs'
import type { EventLogStorage, StorageBackend } from './storage/storage'
import type { Principal } from './types'
import { createWriteModel } from './writeModel'

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
  /** Commands per group commit at most (default 1000). */
  readonly maxBatch?: number
  /** Attempts of a command that keeps losing the race for its stream (default 5). */
  readonly maxAttempts?: number
  /** Aggregate states kept in memory, by stream (default 5000). */
  readonly cachedStreams?: number
  /** Written into `meta.origin` of this store's events (default: a random id per store session). */
  readonly origin?: string
  /** Ask the browser for persistent storage (default true); the answer is in `storageInfo()`. */
  readonly persist?: boolean
  /** Heartbeat and takeover timing of the leadership among tabs (docs/tabs.md). */
  readonly leadership?: LeadershipOptions
}

/** Per-call options of `store.dispatch`. */
export interface DispatchOptions {
  /** Run this command as another principal than the store's (the sync server does, per request). */
  readonly principal?: Principal
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
  const readModels = createReadModels(options.projections ?? [])
  const errors = new Subject<ChronicleError>()
  readModels.errors.subscribe(errors)
  const position$ = new BehaviorSubject(0)
  const principal = () => (typeof options.principal === 'function' ? (options.principal as () => Principal)() : (options.principal as Principal))

  let storage: EventLogStorage | undefined
  let closed: StorageError | undefined
  let isReady = false
  let checkpointTimer: ReturnType<typeof setTimeout> | undefined
  let lastCheckpoint = 0

  const decodeAll = (events: EventEnvelope[]) => events.map(decode)
  const log = () => {
    if (closed) throw closed
    if (!storage) throw new StorageError('closed', 'The store is not open yet')
    return storage
  }

  const writeModel = createWriteModel({
    readStream: async (stream, after) => decodeAll(await log().readStream(stream, after)),
    maxStreams: options.cachedStreams ?? 5000,
  })

  const pageSize = 25_000
  const readDecoded = async (after: number, range: { readonly to?: number; readonly limit: number }) => decodeAll(await log().readLog(after, range))
  // Pages end at command boundaries: a read model never shows half of a command (logPages.ts).
  const readFrom = (after: number) => readCommandPages(readDecoded, after, { pageSize })

  const reactions = createReactions(options.reactions ?? [], {
    dispatch: (command) => store.dispatch(command),
    read: (projection) => readModels.read(projection),
    report: (error) => errors.next(error),
  })

  /** Brings every read model to `events`' end: reads any gap first (other writers' events). */
  let catchingUp: Promise<void> = Promise.resolve()
  const ingest = (events: EventEnvelope[], live: boolean): void | Promise<void> => {
    const first = events[0]
    if (!first) return
    const applyNow = () => {
      readModels.apply(events.filter((e) => e.seq > readModels.position))
      position$.next(readModels.position)
      scheduleCheckpoint()
      if (live) reactions.handle(events)
    }
    if (first.seq === readModels.position + 1) {
      applyNow()
      return
    }
    catchingUp = catchingUp.then(async () => {
      if (first.seq > readModels.position + 1) {
        for await (const page of readFrom(readModels.position)) {
          readModels.apply(page.filter((e) => e.seq < first.seq))
          if (page.at(-1)!.seq >= first.seq - 1) break
        }
      }
      applyNow()
    })
    return catchingUp
  }

  const dispatcher = createDispatcher({
    append: (batch) => log().append(batch),
    writeModel,
    origin,
    head: () => readModels.position,
    onCommitted: (events) => {
      tabs?.announce(events.at(-1)!.seq)
      return ingest(events, true)
    },
    maxBatch: options.maxBatch ?? 1000,
    maxAttempts: options.maxAttempts ?? 5,
  })

  const shutDown = (error: StorageError) => {
    if (closed) return
    closed = error
    dispatcher.close(error)
    clearTimeout(checkpointTimer)
    tabs?.dispose()
    leadership.dispose()
  }

  function scheduleCheckpoint() {
    if (checkpointTimer !== undefined || closed || (options.projections ?? []).length === 0) return
    const interval = options.checkpointInterval ?? 1000
    const wait = Math.max(0, lastCheckpoint + interval - Date.now())
    checkpointTimer = setTimeout(() => {
      checkpointTimer = undefined
      void saveCheckpoints().catch((error: unknown) => errors.next(asChronicleError(error)))
    }, wait)
  }

  async function saveCheckpoints() {
    lastCheckpoint = Date.now()
    const checkpoints = readModels.checkpoints()
    if (checkpoints.length > 0 && !closed) await log().saveCheckpoints(checkpoints)
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
          : new StorageError('closed', signal.reason)
      shutDown(error)
      errors.next(error)
    })
    let checkpoints: Awaited<ReturnType<EventLogStorage['loadCheckpoints']>> = []
    try {
      checkpoints = await opened.loadCheckpoints()
    } catch (error) {
      // A checkpoint that cannot be read only costs a rebuild.
      errors.next(asChronicleError(error))
    }
    await readModels.start(checkpoints, readFrom)
    position$.next(readModels.position)
    isReady = true
    if (typeof addEventListener === 'function') addEventListener('pagehide', onPageHide)
  })()
  ready.catch(() => undefined)

  // ── Tabs (docs/tabs.md): other tabs' commits arrive by BroadcastChannel; one tab leads. ──
  const sharedLog = (options.storage?.kind ?? 'indexeddb') === 'indexeddb'
  const tabs = sharedLog
    ? createTabChannel({
        name: options.name,
        ready,
        position: () => readModels.position,
        head: () => log().head(),
        readLog: readDecoded,
        apply(events) {
          // Another tab wrote these streams: the next command on them reads the new events first.
          for (const event of events) if (event.meta.origin !== origin) writeModel.markStale(event.stream)
          return ingest(events, false)
        },
        report: (error) => errors.next(error),
      })
    : undefined
  const leadership = sharedLog
    ? createLeadership(options.name, origin, {
        position: () => readModels.position,
        // A heartbeat ahead of this tab means it missed announcements (it was paused or frozen).
        heard: (head) => void (head > readModels.position && tabs?.catchUp(head)),
      }, options.leadership)
    : soleLeadership()
  ready.catch(() => {
    // Never opened: neither follow other tabs nor lead them (dispatch still rejects with why).
    tabs?.dispose()
    leadership.dispose()
  })
  // ── end of tabs ──

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
    position$: position$.pipe(distinctUntilChanged()),
    errors$: errors.asObservable(),
    get isLeader() {
      return leadership.isLeader
    },
    isLeader$: leadership.isLeader$,

    async dispatch(command, dispatchOptions) {
      if (closed) throw closed
      const definition = typeof command === 'object' && command !== null ? commands.get(command.type) : undefined
      if (!definition) {
        const type = typeof command === 'object' && command !== null ? String((command as { type?: unknown }).type) : typeof command
        throw new ValidationError('unknown-command', `Unknown command "${type}"; pass its definition to createStore({ commands }). Known: ${[...commands.keys()].join(', ')}`)
      }
      const opts = command.options ?? {}
      const commandId = opts.commandId ?? newId()
      const context: CommandContext = {
        principal: dispatchOptions && 'principal' in dispatchOptions ? (dispatchOptions.principal as Principal) : principal(),
        commandId,
        at: opts.at ?? Date.now(),
      }
      const value = await admitCommand(definition, command.payload, context)
      const stream = streamOf(definition, value)
      if (!isReady) await ready
      return dispatcher.submit({
        definition,
        value,
        stream,
        context,
        causationId: opts.causationId ?? commandId,
        correlationId: opts.correlationId ?? commandId,
        idempotent: opts.commandId !== undefined,
      })
    },

    read: (projection) => readModels.read(projection) as never,

    query(definition: AnyProjectionDefinition | AnyQueryDefinition, ...rest: unknown[]): Observable<never> {
      if (definition.kind === 'query') {
        const [params, equal] = rest as [never, ((a: unknown, b: unknown) => boolean) | undefined]
        return readModels.watch(definition.projection).pipe(
          map((state) => definition.select(state as never, params)),
          distinctUntilChanged(equal ?? Object.is),
        ) as Observable<never>
      }
      const [selector, equal] = rest as [((s: unknown) => unknown) | undefined, ((a: unknown, b: unknown) => boolean) | undefined]
      const states = readModels.watch(definition)
      return (selector ? states.pipe(map(selector)) : states).pipe(distinctUntilChanged(equal ?? Object.is)) as Observable<never>
    },

    async settled(target) {
      await ready
      const goal = target ?? (await log().head())
      if (readModels.position >= goal) return
      if (goal > (await log().head())) throw new ValidationError('invalid-position', `Position ${goal} is beyond the log head`)
      await ingest(await log().readLog(readModels.position, { to: goal }).then(decodeAll), false)
      await firstValueFrom(position$.pipe(filter((p) => p >= goal)))
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
        clearTimeout(checkpointTimer)
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
