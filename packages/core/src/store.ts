import type { Observable } from 'rxjs'
import type { ParamsOf, ResultOf, Store } from './storeApi'
import { AdmissionOrder } from './admissionOrder'
import { Checkpointing } from './checkpointing'
import type { CommandContext, CommandInput } from './command'
import { Compaction } from './compaction'
import { admitCommand, streamOf } from './decide'
import { checkCommandOptions } from './envelope'
import { Dispatcher, type Receipt } from './dispatcher'
import { ConfigurationError, PositionError, StorageError, TimeTravelActive, ValidationError, type ChronicleError } from './errors'
import type { EventEnvelope } from './event'
import { createEmitter } from './emitter'
import { newId } from './ids'
import { StoreKernel } from './kernel'
import { localLog } from './localLog'
import type { AnyProjectionDefinition, ProjectionState } from './projection'
import type { AnyQueryDefinition, QueryDefinition } from './query'
import { reactionRunner } from './reaction'
import type { Reactions } from './reactionRunner'
import { joinTabs, type TabsLink } from './sharedLog'
import { indexedDbStorage } from './storage/indexedDb'
import type { CompactionResult, DispatchOptions, HistoryCommandOptions, StorageInfo, StoreOptions, ViewOptions } from './storeOptions'
import type { StoreSync, SyncConnector } from './sync/types'
import type { SyncImplementation, SyncSession } from './sync/session'
import { TimeTravel } from './timeTravel'
import type { Principal } from './types'
import { Undo } from './undo'
import type { History } from './undoStack'

export type { ParamsOf, ResultOf, Store } from './storeApi'

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
  const syncing = options.sync && implementationOf(options.sync)
  const kernel = new StoreKernel(options, syncing?.overlay)
  let sync: SyncSession | undefined
  const ready = (async () => {
    await kernel.open(options.storage ?? indexedDbStorage())
    await sync?.open()
    kernel.isReady = true
  })()
  ready.catch(() => undefined)
  const tabs = joinTabs(kernel, ready)
  let reactions: Reactions | undefined
  // Shut down in this order: no more commands, no more folding, then the features.
  kernel.onShutDown((error) => dispatcher.close(error))
  kernel.onShutDown(() => kernel.readModels.stop())
  const checkpointing = new Checkpointing(kernel, (work) => dispatcher.exclusive(work))
  // With sync on, commands go to the outbox; the log only takes what the server confirmed.
  sync = syncing?.start(options.sync!, kernel, { exclusive: (work) => dispatcher.exclusive(work), tabs, confirmedOwn: (events) => reactions?.handle(events) })
  const dispatcher: Dispatcher = new Dispatcher(sync?.target ?? localLog(kernel, tabs.tabs), {
    writeModel: kernel.writeModel,
    origin: kernel.origin,
    head: () => kernel.readModels.position,
    maxBatch: options.maxBatch ?? 1000,
    maxAttempts: options.maxAttempts ?? 5,
    sharedLog: options.sharedLog ?? false,
  })
  const compaction = new Compaction(kernel, dispatcher, checkpointing, tabs.tabs, tabs.leadership)
  kernel.onShutDown(() => sync?.close())
  kernel.onShutDown(() => tabs.leave())
  const store = new ChronicleStore(kernel, dispatcher, ready, tabs, checkpointing, compaction, sync)
  // The code that runs reactions comes with their definitions (a store without them does not bundle it).
  if (options.reactions?.length) {
    const running = reactionRunner(options.reactions)(options.reactions, {
      // Follow-ups are not the user's own commands: they do not go on the undo stack.
      dispatch: (command) => store.submit(command, undefined, false),
      read: (projection) => kernel.readModels.read(projection),
      report: (error) => kernel.errors.emit(error),
    })
    reactions = running
    kernel.onApplied((events, live) => {
      if (live) running.handle(events)
    })
  }
  if (sync) void ready.then(() => sync?.connect(), () => undefined)
  if (options.persist !== false && typeof navigator !== 'undefined' && navigator.storage?.persist && kernel.sharedLog) {
    // Reported through storageInfo(), never required: browsers may say no.
    void navigator.storage.persist().catch(() => false)
  }
  return store
}

/** The methods of a store, bound to it when it is made. */
const storeMethods = ['dispatch', 'submit', 'read', 'query', 'provisional', 'onDispatch', 'settled', 'undoCommand', 'travel', 'stateAt', 'prepareTravel', 'log', 'compact', 'checkpoint', 'storageInfo', 'close'] as const

/** The store `createStore` returns: each method one place to read, over the kernel and its features. */
export class ChronicleStore implements Store {
  readonly name: string
  readonly origin: string
  readonly position$: Observable<number>
  readonly errors$: Observable<ChronicleError>
  readonly isLeader$: Observable<boolean>
  readonly travelling$: Observable<number | null>
  readonly projections: readonly AnyProjectionDefinition[]
  readonly history: History
  private readonly undo: Undo
  private readonly timeTravel: TimeTravel
  private readonly onPageHide = () => this.dispatcher.flush()
  private readonly admissions = new AdmissionOrder()
  private readonly dispatches = createEmitter<Promise<unknown>>()

  constructor(
    private readonly kernel: StoreKernel,
    private readonly dispatcher: Dispatcher,
    readonly ready: Promise<void>,
    private readonly tabs: TabsLink,
    private readonly checkpointing: Checkpointing,
    private readonly compaction: Compaction,
    private readonly syncSession: SyncSession | undefined,
  ) {
    this.name = kernel.name
    this.origin = kernel.origin
    this.position$ = kernel.position$.observable
    this.errors$ = kernel.errors.observable
    this.isLeader$ = tabs.leadership.isLeader$
    this.travelling$ = kernel.travelling$.observable
    this.projections = kernel.options.projections ?? []
    this.undo = new Undo(kernel, dispatcher)
    this.history = this.undo.history
    this.timeTravel = new TimeTravel(kernel, dispatcher)
    // Methods work unbound (`const { dispatch } = store`, `onClick={store.checkpoint}`) and on an
    // object made from the store (`Object.create(store)`), as they did on a plain store object.
    for (const method of storeMethods) Object.defineProperty(this, method, { value: (this[method] as (...args: never[]) => unknown).bind(this), writable: true, configurable: true })
    void ready.then(() => {
      if (typeof addEventListener === 'function') addEventListener('pagehide', this.onPageHide)
    }, () => undefined)
  }

  get isReady(): boolean {
    return this.kernel.isReady
  }

  get position(): number {
    return this.kernel.readModels.position
  }

  get isLeader(): boolean {
    return this.tabs.leadership.isLeader
  }

  get sync(): StoreSync | undefined {
    return this.syncSession?.outbox.state.api
  }

  get travelling(): number | null {
    return this.kernel.readModels.travelling
  }

  get horizon(): number {
    return this.kernel.readModels.origin
  }

  dispatch(command: CommandInput, options?: DispatchOptions): Promise<Receipt> {
    const receipt = this.submit(command, options, true)
    if (this.dispatches.observed) this.dispatches.emit(receipt.catch(() => undefined))
    return receipt
  }

  onDispatch(listener: (settled: Promise<unknown>) => void): () => void {
    return this.dispatches.listen(listener)
  }

  provisional(projection?: AnyProjectionDefinition): boolean {
    return this.kernel.readModels.provisional(projection)
  }

  /** Admits a command (validation, authorization) and queues it for the next group commit; `record` puts it on the undo stack. */
  async submit(command: CommandInput, options: DispatchOptions | undefined, record: boolean): Promise<Receipt> {
    const { kernel } = this
    if (kernel.closed) throw kernel.closed
    if (kernel.readModels.travelling !== null) throw new TimeTravelActive(kernel.readModels.travelling)
    const definition = typeof command === 'object' && command !== null ? kernel.commands.get(command.type) : undefined
    if (!definition) {
      const type = typeof command === 'object' && command !== null ? String((command as { type?: unknown }).type) : typeof command
      throw new ValidationError('unknown-command', `Unknown command "${type}"; pass its definition to createStore({ commands }). Known: ${[...kernel.commands.keys()].join(', ')}`)
    }
    const opts = command.options ?? {}
    checkCommandOptions(definition.type, opts)
    const commandId = opts.commandId ?? newId()
    const context: CommandContext = {
      principal: options && 'principal' in options ? (options.principal as Principal) : kernel.principal(),
      commandId,
      at: opts.at ?? Date.now(),
    }
    // Queued in dispatch order, however long each admission takes (a sync server's pushes rely on it).
    const place = this.admissions.take()
    let value: unknown, stream: string
    try {
      value = await admitCommand(definition, command.payload, context)
      stream = streamOf(definition, value)
      if (!kernel.isReady) await this.ready
    } catch (error) {
      this.admissions.skip(place)
      throw error
    }
    const receipt = await this.admissions.run(place, () =>
      this.dispatcher.submit({ definition, payload: command.payload, value, stream, context, causationId: opts.causationId ?? commandId, correlationId: opts.correlationId ?? commandId, idempotent: opts.commandId !== undefined }),
    )
    if (record && options?.undoable !== false && receipt.eventCount > 0) this.undo.history.record({ commandId, stream, definition })
    return receipt
  }

  read<P extends AnyProjectionDefinition>(projection: P, options?: ViewOptions): ProjectionState<P> {
    return this.kernel.readModels.read(projection, options?.committed) as ProjectionState<P>
  }

  query<P extends AnyProjectionDefinition, R = ProjectionState<P>>(projection: P, selector?: (state: ProjectionState<P>) => R, equal?: (a: R, b: R) => boolean, options?: ViewOptions): Observable<R>
  query<Q extends AnyQueryDefinition>(query: Q, params: ParamsOf<Q>, equal?: (a: ResultOf<Q>, b: ResultOf<Q>) => boolean, options?: ViewOptions): Observable<ResultOf<Q>>
  query(definition: AnyProjectionDefinition | AnyQueryDefinition, ...rest: unknown[]): Observable<unknown> {
    const { readModels } = this.kernel
    const [first, equal, options] = rest as [unknown, ((a: unknown, b: unknown) => boolean) | undefined, ViewOptions | undefined]
    if (definition.kind === 'query') return readModels.watch(definition.projection, (state) => definition.select(state as never, first as never), equal, options?.committed)
    return readModels.watch(definition, first as ((s: unknown) => unknown) | undefined, equal, options?.committed)
  }

  async settled(target?: number): Promise<void> {
    await this.ready
    const { kernel } = this
    if (target !== undefined && kernel.readModels.position >= target) return
    // One read of the head: it is both the default goal and the limit a goal may not pass.
    const head = await kernel.log().head()
    const goal = target ?? head
    if (kernel.readModels.position >= goal) return
    if (goal > head) throw new PositionError('invalid-position', `Position ${goal} is beyond the log head`)
    await kernel.ingest(await kernel.log().readLog(kernel.readModels.position, { to: goal }).then((events) => kernel.decodeAll(events)), false)
    await new Promise<void>((resolve) => {
      const reached = kernel.position$.observable.subscribe((p) => {
        if (p < goal) return
        resolve()
        queueMicrotask(() => reached.unsubscribe())
      })
    })
  }

  async undoCommand(target: string, options?: HistoryCommandOptions): Promise<Receipt> {
    await this.ready
    return this.undo.undoCommand(target, options)
  }

  async travel(target: number | null): Promise<void> {
    await this.ready
    return this.timeTravel.travel(target)
  }

  async stateAt<P extends AnyProjectionDefinition>(projection: P, target: number): Promise<ProjectionState<P>> {
    await this.ready
    return (await this.timeTravel.stateAt(projection, target)) as ProjectionState<P>
  }

  async prepareTravel(): Promise<void> {
    await this.ready
    await this.kernel.readModels.prepareTravel()
  }

  async log(range: { readonly after?: number; readonly to?: number; readonly limit?: number } = {}): Promise<EventEnvelope[]> {
    await this.ready
    const { kernel } = this
    return kernel.decodeAll(await kernel.log().readLog(range.after ?? 0, { ...(range.to === undefined ? {} : { to: range.to }), ...(range.limit === undefined ? {} : { limit: range.limit }) }))
  }

  async compact(request: { readonly before: number }): Promise<CompactionResult> {
    await this.ready
    return this.compaction.compact(request.before)
  }

  async checkpoint(): Promise<void> {
    await this.ready
    await this.checkpointing.save()
  }

  async storageInfo(): Promise<StorageInfo> {
    const manager = typeof navigator === 'undefined' ? undefined : navigator.storage
    const [persisted, estimate] = await Promise.all([manager?.persisted?.(), manager?.estimate?.()])
    return { persisted, usage: estimate?.usage, quota: estimate?.quota }
  }

  async close(): Promise<void> {
    const { kernel } = this
    if (kernel.closed) return
    await this.ready.catch(() => undefined)
    await this.dispatcher.idle()
    if (kernel.opened) {
      this.checkpointing.cancel()
      await this.checkpointing.save().catch(() => undefined)
    }
    if (typeof removeEventListener === 'function') removeEventListener('pagehide', this.onPageHide)
    kernel.shutDown(new StorageError('closed', `Store "${kernel.name}" is closed; create a new store to keep working.`))
    kernel.closeLog()
  }
}

/** What the connector's `outbox` holds (`syncOutbox`), checked: a connector without it cannot sync. */
function implementationOf(connector: SyncConnector): SyncImplementation {
  const implementation = connector.outbox as unknown as Partial<SyncImplementation> | undefined
  if (typeof implementation?.start !== 'function' || typeof implementation.overlay !== 'function') {
    throw new ConfigurationError('invalid-connector', 'createStore({ sync }) takes a connector with outbox: syncOutbox (from @chronicle/core); createSync from @chronicle/sync makes one.')
  }
  return implementation as SyncImplementation
}
