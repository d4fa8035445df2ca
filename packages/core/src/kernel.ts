import type { AnyCommandDefinition } from './command'
import { createEmitter, createValueCell } from './emitter'
import { isProductionBuild } from './environment'
import { ChronicleError, ConfigurationError, StorageError } from './errors'
import { createEventDecoder, type AnyEventDefinition, type EventEnvelope } from './event'
import { newId } from './ids'
import { readCommandPages } from './logPages'
import { createReadModels, type OverlayFactory, type ReadModels } from './readModels'
import type { StoreOptions } from './storeOptions'
import type { EventLogStorage, StorageBackend, StoredHorizon, StreamRead, StreamStorage } from './storage/storage'
import type { Principal } from './types'
import type { DirectoryListing } from './streamDirectory'
import { createWriteModel, type WriteModel } from './writeModel'

/** Events per read of the whole log at a cold start or a catch-up. */
const pageSize = 25_000
/** Events per read for work in the background (see `readInBackground`). */
const backgroundPageSize = 2000

/**
 * The store's kernel: the log, decoding, the write model, the read models, the ingest chain that
 * brings the read models to the log's end in order, and the lifecycle (open, shut down). Feature
 * modules (checkpoints, compaction, tabs, undo, time travel, reactions, sync) receive it and hook
 * into it (`onApplied`, `onShutDown`); it knows none of them.
 */
export class StoreKernel {
  readonly name: string
  readonly origin: string
  readonly commands = new Map<string, AnyCommandDefinition>()
  readonly decode: (event: EventEnvelope) => EventEnvelope
  readonly readModels: ReadModels
  readonly writeModel: WriteModel
  /** Every failure no caller hears of (`store.errors$`). */
  readonly errors = createEmitter<ChronicleError>()
  /** The log position every read model has applied (`store.position$`). */
  readonly position$ = createValueCell(0)
  /** The position the store shows while travelling, or null (`store.travelling$`). */
  readonly travelling$ = createValueCell<number | null>(null)
  /** Whether other tabs share the log (IndexedDB). */
  readonly sharedLog: boolean
  /** Set once the store shut down: what every later call fails with. */
  closed: StorageError | undefined
  isReady = false
  /** The log position the stored checkpoints cover: a cold start now would replay the log after it. */
  checkpointedAt = 0
  /** With sync on, the outbox's provisional events of a stream after `afterVersion` (the write model folds them on top). */
  provisionalOf: ((stream: string, afterVersion: number) => EventEnvelope[]) | undefined
  #storage: EventLogStorage | undefined
  /** Ingest work that could not finish synchronously; later batches queue behind it. */
  #chain: Promise<void> | undefined
  readonly #applied: ((events: EventEnvelope[], live: boolean) => void)[] = []
  readonly #shutDowns: ((error: StorageError) => void)[] = []

  constructor(
    readonly options: StoreOptions,
    overlay: OverlayFactory | undefined,
  ) {
    this.name = options.name
    this.origin = options.origin ?? newId()
    const eventDefinitions: AnyEventDefinition[] = []
    for (const command of options.commands) {
      if (this.commands.has(command.type)) throw new ConfigurationError('duplicate-command', `Two commands have the type "${command.type}"; give each command a type of its own.`)
      this.commands.set(command.type, command)
      eventDefinitions.push(...command.aggregate.events)
    }
    for (const projection of options.projections ?? []) eventDefinitions.push(...projection.events)
    this.decode = createEventDecoder(eventDefinitions)
    this.sharedLog = (options.storage?.kind ?? 'indexeddb') === 'indexeddb'
    this.readModels = createReadModels(options.projections ?? [], {
      snapshotEvery: options.snapshotEvery ?? 1000,
      freeze: options.freeze ?? !isProductionBuild(),
      optimistic: options.optimistic ?? true,
      loadLog: (after, to) => this.readInBackground(after, to),
      loadHorizonStates: async (position) => await this.log().compaction?.loadHorizonStates(position),
      ...(overlay ? { overlay } : {}),
    })
    this.readModels.errors.listen((error) => this.errors.emit(error))
    this.writeModel = createWriteModel({
      readStream: async (stream, after) => {
        const confirmed = this.decodeAll(await this.log().readStream(stream, after))
        return this.provisionalOf ? [...confirmed, ...this.provisionalOf(stream, confirmed.at(-1)?.version ?? after)] : confirmed
      },
      loadSnapshot: async (stream) => (await this.log().compaction?.loadStreamSnapshot(stream)) ?? undefined,
      readStreams: (streams) => this.#readStreams(streams),
      maxStreams: options.cachedStreams ?? 5000,
    })
  }

  /**
   * Several streams for the write model, decoded, each with this store's provisional events after
   * it (sync): in one read where the log can (`StreamStorage`), else one stream at a time.
   */
  async #readStreams(streams: readonly string[]): Promise<Map<string, StreamRead>> {
    const log = this.log()
    const { directory } = this.writeModel
    const found = log.streams
      ? await log.streams.readStreams(streams, (stream) => directory.mayBeCompacted(stream))
      : new Map(
          await Promise.all(
            streams.map(async (stream) => {
              const snapshot = await log.compaction?.loadStreamSnapshot(stream)
              return [stream, { snapshot, events: await log.readStream(stream, snapshot?.version ?? 0) }] as const
            }),
          ),
        )
    const reads = new Map<string, StreamRead>()
    for (const [stream, { snapshot, events }] of found) {
      const confirmed = this.decodeAll(events)
      const provisional = this.provisionalOf?.(stream, confirmed.at(-1)?.version ?? snapshot?.version ?? 0) ?? []
      reads.set(stream, { snapshot, events: provisional.length > 0 ? [...confirmed, ...provisional] : confirmed })
    }
    return reads
  }

  /** Every stream of the log: the directory a store saved, the compacted streams, then the streams of the events after the saved directory, page by page. */
  async #listStreams(streams: StreamStorage, listing: DirectoryListing): Promise<void> {
    const [saved, compacted] = await Promise.all([streams.loadDirectory(), streams.compactedStreams()])
    for (const hash of saved?.hashes ?? []) listing.addHash(hash)
    // Streams whose first events compaction removed: the log's events no longer name them all.
    for (const stream of compacted) listing.addCompacted(stream)
    // On a cold start, the states the write model saved come back; a stream written after them is
    // read again. Not when compaction removed events after them: what they missed is gone.
    const horizon = saved?.states && !this.#directoryLoaded ? ((await this.log().compaction?.loadHorizon())?.position ?? 0) : Infinity
    const taken = saved?.states && horizon <= saved.position ? this.writeModel.takeBack(saved.states, new Map(this.options.commands.map((command) => [command.aggregate.name, command.aggregate]))) : undefined
    this.#directoryLoaded = true
    for (let after = saved?.position ?? 0; ; ) {
      const page = await this.log().readLog(after, { limit: backgroundPageSize })
      for (const event of page) {
        listing.add(event.stream)
        if (taken?.delete(event.stream)) this.writeModel.drop(event.stream)
      }
      if (page.length < backgroundPageSize) return
      after = page.at(-1)!.seq
    }
  }

  /** Whether the write model's directory was loaded once (a reload does not take saved states back). */
  #directoryLoaded = false


  /** The open log; throws the store's StorageError once closed (or before it opened). */
  log(): EventLogStorage {
    if (this.closed) throw this.closed
    if (!this.#storage) throw new StorageError('closed', 'The store is not open yet')
    return this.#storage
  }

  /** Whether the log is open (a store that never opened has none). */
  get opened(): boolean {
    return this.#storage !== undefined
  }

  /** The store's principal: `createStore({ principal })`, called when it is a function. */
  principal(): Principal {
    const { principal } = this.options
    return typeof principal === 'function' ? (principal as () => Principal)() : (principal as Principal)
  }

  decodeAll(events: EventEnvelope[]): EventEnvelope[] {
    return events.map(this.decode)
  }

  /** Reads decoded log events after `after`, at most `range.limit`, up to `range.to`. */
  readonly readDecoded = async (after: number, range: { readonly to?: number; readonly limit: number }): Promise<EventEnvelope[]> => {
    const events = this.decodeAll(await this.log().readLog(after, range))
    // Whatever this store reads of the log (a cold start's tail, another tab's commits) tells the write model which streams exist.
    this.writeModel.directory.addAll(events)
    return events
  }

  /** The log after `after` in pages that end at command boundaries: a read model never shows half of a command (logPages.ts). */
  readFrom(after: number): AsyncIterable<EventEnvelope[]> {
    return readCommandPages(this.readDecoded, after, { pageSize })
  }

  /**
   * Reads for work in the background (compaction, time travel before the in-memory timeline) in
   * small pages: IndexedDB builds a request's result on the page's thread, so a getAll of 100,000
   * events is one task of ~0.8 s, and a page of 2,000 one of ~15 ms.
   */
  async readInBackground(after: number, to: number): Promise<EventEnvelope[]> {
    const events: EventEnvelope[] = []
    for await (const page of readCommandPages(this.readDecoded, after, { to, pageSize: backgroundPageSize })) for (const event of page) events.push(event)
    return events
  }

  /** Runs `listener` after every batch the read models applied (`live`: new events of this tab's own commits). */
  onApplied(listener: (events: EventEnvelope[], live: boolean) => void): void {
    this.#applied.push(listener)
  }

  /** Runs `listener` once when the store shuts down, in the order they were added. */
  onShutDown(listener: (error: StorageError) => void): void {
    this.#shutDowns.push(listener)
  }

  /** Whether ingest work is queued (then a batch's events cannot be folded ahead of their commit). */
  get ingesting(): boolean {
    return this.#chain !== undefined
  }

  /** Resolves when the ingest work queued now is done. */
  async ingested(): Promise<void> {
    await this.#chain
  }

  /** Queues `work` behind the ingest work before it, so batches never overtake each other. */
  enqueue(work: () => Promise<void>): Promise<void> {
    const next: Promise<void> = (this.#chain ?? Promise.resolve()).then(work).finally(() => {
      if (this.#chain === next) this.#chain = undefined
    })
    this.#chain = next
    return next
  }

  /**
   * Brings every read model to the end of `events`, in log order: a gap before them (another
   * writer's events) is read from the log first. Work that cannot finish synchronously (a gap, an
   * undo's refold) is chained, so batches never overtake each other.
   */
  ingest(events: EventEnvelope[], live: boolean): void | Promise<void> {
    const first = events[0]
    if (!first) return
    const { readModels } = this
    if (!this.#chain && first.seq === readModels.position + 1) {
      const pending = readModels.apply(events)
      if (!pending) return this.#afterApply(events, live)
      return this.enqueue(async () => {
        await pending
        this.#afterApply(events, live)
      })
    }
    return this.enqueue(async () => {
      if (first.seq > readModels.position + 1) {
        // Another writer came first; it may also have compacted away what lies in between.
        if (this.sharedLog) await this.followHorizon()
        if (first.seq > readModels.position + 1) {
          for await (const page of this.readFrom(readModels.position)) {
            await readModels.apply(page.filter((e) => e.seq < first.seq))
            if (page.at(-1)!.seq >= first.seq - 1) break
          }
        }
      }
      const fresh = events.filter((e) => e.seq > readModels.position)
      if (fresh.length > 0) await readModels.apply(fresh)
      this.#afterApply(events, live)
    })
  }

  #afterApply(events: EventEnvelope[], live: boolean): void {
    this.position$.set(this.readModels.position)
    for (const listener of this.#applied) listener(events, live)
  }

  /**
   * Another tab may have compacted the shared log. Learns its horizon: every cached stream state
   * is dropped (it may predate versions that were compacted away), and read models that are
   * behind the horizon, whose next events are gone, start again from the stored checkpoints and
   * horizon states, exactly as on a cold start. Runs in the ingest chain (`enqueue`).
   */
  async followHorizon(): Promise<void> {
    const storage = this.log()
    const stored = await storage.compaction?.loadHorizon()
    const { readModels } = this
    if (!stored || stored.position <= readModels.origin) return
    this.writeModel.clear()
    if (readModels.position >= stored.position) return readModels.setHorizon(stored)
    if (readModels.travelling !== null) {
      await readModels.travel(null)
      this.travelling$.set(null)
    }
    await this.startReadModels(storage, stored)
  }

  /** Brings every read model to the head from its stored checkpoint (or the horizon, or zero), as on a cold start. */
  async startReadModels(storage: EventLogStorage, horizon: StoredHorizon | undefined): Promise<void> {
    let checkpoints: Awaited<ReturnType<EventLogStorage['loadCheckpoints']>> = []
    let unreadable = false
    try {
      checkpoints = await storage.loadCheckpoints()
    } catch (error) {
      // A checkpoint that cannot be read only costs a rebuild (and is replaced soon).
      this.errors.emit(asChronicleError(error))
      unreadable = true
    }
    const covered = await this.readModels.start(checkpoints, (after) => this.readFrom(after), await storage.head(), horizon)
    this.checkpointedAt = unreadable ? -Infinity : covered
    this.position$.set(this.readModels.position)
  }

  /** Opens the log and brings the read models up from their checkpoints; a storage signal shuts the store down. */
  async open(backend: StorageBackend): Promise<void> {
    const opened = await backend.open(this.name)
    this.#storage = opened
    opened.onSignal((signal) => {
      const error =
        signal.type === 'version-change'
          ? new StorageError(
              signal.newVersion === null ? 'deleted' : 'version-change',
              signal.newVersion === null
                ? `The event log of "${this.name}" was deleted by another tab or the browser; this store is closed. Reload to start again.`
                : `Another tab opened the event log of "${this.name}" with a newer schema (${signal.newVersion}); this store closed its connection so the upgrade can proceed. Reload this tab.`,
            )
          : new StorageError(signal.type, signal.reason)
      this.shutDown(error)
      // The log is gone: the read models show what it holds now, nothing.
      if (error.code === 'deleted') {
        this.readModels.clear()
        this.position$.set(this.readModels.position)
      }
      this.errors.emit(error)
    })
    await this.startReadModels(opened, (await opened.compaction?.loadHorizon()) ?? undefined)
    // Which streams exist, read once the read models started (not to slow the cold start down;
    // the first commands wait for it). With sync on, a stream may exist only in the outbox; a tab
    // that cannot hear the others (no BroadcastChannel) would not learn of their compactions:
    // there every stream is read.
    const { streams } = opened
    const hears = !this.sharedLog || typeof BroadcastChannel === 'function'
    if (streams && !this.options.sync && hears && !this.closed) void this.writeModel.directory.load((listing) => this.#listStreams(streams, listing))
  }

  /** Closes the store for good: every later call fails with `error`; features stop (`onShutDown`). */
  shutDown(error: StorageError): void {
    if (this.closed) return
    this.closed = error
    for (const listener of this.#shutDowns) listener(error)
  }

  /** Closes the log's connection (after `shutDown`). */
  closeLog(): void {
    this.#storage?.close()
  }
}

/** A failure as the ChronicleError it is, or a StorageError `failed` that carries it. */
export function asChronicleError(error: unknown): ChronicleError {
  return error instanceof ChronicleError ? error : new StorageError('failed', String(error), { cause: error })
}
