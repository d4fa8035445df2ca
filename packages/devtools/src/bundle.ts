import {
  createStore,
  memoryStorage,
  ValidationError,
  type AnyCommandDefinition,
  type AnyProjectionDefinition,
  type AppendCommand,
  type EventEnvelope,
  type StorageBackend,
  type Store,
} from '@chronicle/core'

/** Identifies a repro bundle file. */
export const bundleFormat = 'chronicle-repro'

/**
 * A slice of a store's log with what is needed to replay it elsewhere: the store's name and the
 * versions of its projections (states replay the same only under the same projection code).
 */
export interface ReproBundle {
  readonly format: typeof bundleFormat
  readonly formatVersion: 1
  /** The name of the store the events come from. */
  readonly store: string
  readonly exportedAt: string
  readonly projections: readonly { readonly name: string; readonly version: number }[]
  /** The slice: events with `after < seq <= to`. A slice from 0 replays exactly the states of the source. */
  readonly range: { readonly after: number; readonly to: number }
  readonly events: readonly EventEnvelope[]
}

/** Which part of the log `exportBundle` takes. */
export interface BundleRange {
  /**
   * Events after this position (default 0: from the start, which replays exactly). A compacted
   * log starts at its horizon, and so does the slice.
   */
  readonly after?: number
  /** Events up to this position (default: the store's position). */
  readonly to?: number
}

const pageSize = 10_000

/**
 * Reads a slice of a store's log into a repro bundle; `JSON.stringify` it to save a file.
 *
 * @example
 * const bundle = await exportBundle(store, { to: 120 })
 * const file = new Blob([JSON.stringify(bundle)], { type: 'application/json' })
 */
export async function exportBundle(store: Store, range: BundleRange = {}): Promise<ReproBundle> {
  await store.ready
  // Events before a compaction horizon are gone: the slice starts there at the earliest.
  const after = Math.max(range.after ?? 0, store.horizon)
  const to = range.to ?? store.position
  const events: EventEnvelope[] = []
  for (let from = after; from < to; ) {
    const page = await store.log({ after: from, to, limit: pageSize })
    if (page.length === 0) break
    events.push(...page)
    from = page.at(-1)!.seq
  }
  return {
    format: bundleFormat,
    formatVersion: 1,
    store: store.name,
    exportedAt: new Date().toISOString(),
    projections: store.projections.map((p) => ({ name: p.name, version: p.version })),
    range: { after, to },
    events,
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

const isEnvelope = (value: unknown): value is EventEnvelope =>
  isRecord(value) &&
  typeof value.id === 'string' &&
  typeof value.seq === 'number' &&
  typeof value.stream === 'string' &&
  typeof value.version === 'number' &&
  typeof value.type === 'string' &&
  typeof value.schemaVersion === 'number' &&
  'payload' in value &&
  isRecord(value.meta) &&
  typeof value.meta.commandId === 'string' &&
  typeof value.meta.causationId === 'string' &&
  typeof value.meta.correlationId === 'string' &&
  typeof value.meta.at === 'number' &&
  typeof value.meta.origin === 'string'

/**
 * Reads a repro bundle from a file's text (or an already parsed value) and checks its shape.
 * Throws ValidationError (`invalid-bundle`) when it is not one.
 */
export function parseBundle(input: string | unknown): ReproBundle {
  let value: unknown = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch (cause) {
      throw new ValidationError('invalid-bundle', `This file is not JSON (${String(cause)}); choose a file saved by "Export" in Chronicle devtools.`)
    }
  }
  const fail = (what: string) => new ValidationError('invalid-bundle', `Not a Chronicle repro bundle: ${what}. Choose a file saved by "Export" in Chronicle devtools.`)
  if (!isRecord(value) || value.format !== bundleFormat) throw fail(`"format" is not "${bundleFormat}"`)
  if (value.formatVersion !== 1) throw fail(`formatVersion ${String(value.formatVersion)} is not supported (expected 1)`)
  if (typeof value.store !== 'string') throw fail('"store" is missing')
  if (!Array.isArray(value.projections) || !value.projections.every((p) => isRecord(p) && typeof p.name === 'string' && typeof p.version === 'number')) {
    throw fail('"projections" must list { name, version }')
  }
  if (!isRecord(value.range) || typeof value.range.after !== 'number' || typeof value.range.to !== 'number') throw fail('"range" must be { after, to }')
  if (!Array.isArray(value.events)) throw fail('"events" is missing')
  const bad = value.events.findIndex((e) => !isEnvelope(e))
  if (bad >= 0) throw fail(`event ${bad} is not an event envelope`)
  for (let i = 1; i < value.events.length; i++) {
    if ((value.events[i] as EventEnvelope).seq <= (value.events[i - 1] as EventEnvelope).seq) throw fail(`events are not in log order at index ${i}`)
  }
  return value as unknown as ReproBundle
}

/**
 * Appends a bundle's events to an empty log of `storage` (named after the bundle's store unless
 * `name` says otherwise), one command at a time as they were written. A store created on that
 * log then replays the same states, position for position when the slice started at 0 (positions
 * are numbered from 1 in the new log). Throws ValidationError (`log-not-empty`) when the log
 * already has events.
 *
 * @example
 * const storage = memoryStorage()
 * await importBundle(bundle, storage)
 * const replay = createStore({ name: bundle.store, commands, projections, storage })
 */
export async function importBundle(bundle: ReproBundle, storage: StorageBackend, options: { readonly name?: string } = {}): Promise<void> {
  const log = await storage.open(options.name ?? bundle.store)
  try {
    if ((await log.head()) > 0) {
      throw new ValidationError('log-not-empty', `The log "${options.name ?? bundle.store}" already holds events; import a bundle into a fresh log (e.g. memoryStorage()).`)
    }
    const streamVersions = new Map<string, number>()
    let batch: AppendCommand[] = []
    const flush = async () => {
      if (batch.length === 0) return
      const outcomes = await log.append(batch)
      const refused = outcomes.findIndex((o) => o.status !== 'ok')
      if (refused >= 0) throw new ValidationError('invalid-bundle', `The bundle's command ${batch[refused]!.commandId} could not be appended (${outcomes[refused]!.status}); its stream versions are inconsistent.`)
      batch = []
    }
    for (let i = 0; i < bundle.events.length; ) {
      const first = bundle.events[i]!
      const events = []
      // One command's events on one stream are appended together, as the store wrote them.
      while (i < bundle.events.length && bundle.events[i]!.meta.commandId === first.meta.commandId && bundle.events[i]!.stream === first.stream) {
        const { seq: _seq, ...event } = bundle.events[i]!
        events.push(event)
        i++
      }
      batch.push({ commandId: first.meta.commandId, stream: first.stream, expectedVersion: streamVersions.get(first.stream) ?? 0, idempotent: false, events })
      streamVersions.set(first.stream, events.at(-1)!.version)
      if (batch.length >= 1000) await flush()
    }
    await flush()
  } finally {
    log.close()
  }
}

/** What `openBundle` needs besides the bundle. */
export interface OpenBundleOptions {
  /** The projections to fold (usually `store.projections` of the app's store). */
  readonly projections: readonly AnyProjectionDefinition[]
  /** Command definitions, when the replay store should accept commands too (default none). */
  readonly commands?: readonly AnyCommandDefinition[]
  /** Where the replayed log lives (default a fresh `memoryStorage()`). */
  readonly storage?: StorageBackend
}

/**
 * Imports a bundle into a fresh log and opens a store on it: the panel's "Import" does this.
 *
 * @example
 * const replay = await openBundle(parseBundle(text), { projections: store.projections })
 * replay.read(boardView) // the state the bundle's author saw at its last event
 */
export async function openBundle(bundle: ReproBundle, options: OpenBundleOptions): Promise<Store> {
  const storage = options.storage ?? memoryStorage()
  await importBundle(bundle, storage)
  const store = createStore({ name: bundle.store, commands: options.commands ?? [], projections: options.projections, storage, persist: false })
  await store.ready
  return store
}

/** Projections whose version differs between a bundle and the definitions at hand (states may differ). */
export function projectionMismatches(bundle: ReproBundle, projections: readonly AnyProjectionDefinition[]): string[] {
  const current = new Map(projections.map((p) => [p.name, p.version]))
  return bundle.projections
    .filter((p) => current.has(p.name) && current.get(p.name) !== p.version)
    .map((p) => `${p.name}: bundle v${p.version}, here v${current.get(p.name)!}`)
}
