import { bundleRefusal, createEventCheck, yieldToPage, type BundleWorkOptions } from './bundleCheck'
import { createStore, memoryStorage, ValidationError, type AnyCommandDefinition, type AnyProjectionDefinition, type EventEnvelope, type StorageBackend, type Store } from '@chronicle/core'
import { type AppendCommand } from '@chronicle/core/storage'

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

/** Parses a file's text, or takes an already parsed value. */
function parsed(input: string | unknown): unknown {
  if (typeof input !== 'string') return input
  try {
    return JSON.parse(input) as unknown
  } catch (cause) {
    throw new ValidationError('invalid-bundle', `This file is not JSON (${String(cause)}); choose a file saved by "Export" in Chronicle devtools.`)
  }
}

/** Checks everything of a bundle but its events; returns them for checking one by one. */
function checkHeader(value: unknown): unknown[] {
  if (!isRecord(value) || value.format !== bundleFormat) throw bundleRefusal(`"format" is not "${bundleFormat}"`)
  if (value.formatVersion !== 1) throw bundleRefusal(`formatVersion ${String(value.formatVersion)} is not supported (expected 1)`)
  if (typeof value.store !== 'string') throw bundleRefusal('"store" is missing')
  if (!Array.isArray(value.projections) || !value.projections.every((p) => isRecord(p) && typeof p.name === 'string' && typeof p.version === 'number')) {
    throw bundleRefusal('"projections" must list { name, version }')
  }
  if (!isRecord(value.range) || typeof value.range.after !== 'number' || typeof value.range.to !== 'number') throw bundleRefusal('"range" must be { after, to }')
  if (!Array.isArray(value.events)) throw bundleRefusal('"events" is missing')
  return value.events as unknown[]
}

/**
 * Reads a repro bundle from a file's text (or an already parsed value) and checks it at once:
 * its shape, each envelope's ranges, no `__proto__` keys, log order and consecutive stream
 * versions. Throws ValidationError (`invalid-bundle`) when it is not one. For large files in a
 * page, `readBundle` does the same in slices, with progress, and also checks payloads.
 */
export function parseBundle(input: string | unknown): ReproBundle {
  const value = parsed(input)
  const events = checkHeader(value)
  const check = createEventCheck([])
  events.forEach((event, index) => void check(event, index))
  return value as ReproBundle
}

/** What `readBundle` needs besides the text. */
export interface ReadBundleOptions extends BundleWorkOptions {
  /** The projections the bundle will be replayed into: the payloads of their event types are checked against the events' schemas. */
  readonly projections?: readonly AnyProjectionDefinition[]
}

/**
 * `parseBundle` for a page that must stay responsive: after parsing, the events are checked in
 * slices (yielding to the page between them, reporting progress, stopping when `signal` aborts),
 * and the payloads of the event types `projections` fold are checked against their schemas.
 *
 * @example
 * const bundle = await readBundle(await file.text(), { projections: store.projections, signal, onProgress: show })
 */
export async function readBundle(input: string | unknown, options: ReadBundleOptions = {}): Promise<ReproBundle> {
  await yieldToPage(options.signal)
  const value = parsed(input)
  const events = checkHeader(value)
  const check = createEventCheck(options.projections ?? [])
  const slice = options.sliceSize ?? 2000
  for (let start = 0; start < events.length; start += slice) {
    options.onProgress?.({ phase: 'checking', done: start, total: events.length })
    await yieldToPage(options.signal)
    for (let index = start; index < Math.min(events.length, start + slice); index++) {
      const pending = check(events[index], index)
      if (pending) await pending
    }
  }
  options.onProgress?.({ phase: 'checking', done: events.length, total: events.length })
  return value as ReproBundle
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
export async function importBundle(bundle: ReproBundle, storage: StorageBackend, options: { readonly name?: string } & BundleWorkOptions = {}): Promise<void> {
  const log = await storage.open(options.name ?? bundle.store)
  try {
    if ((await log.head()) > 0) {
      throw new ValidationError('log-not-empty', `The log "${options.name ?? bundle.store}" already holds events; import a bundle into a fresh log (e.g. memoryStorage()).`)
    }
    const streamVersions = new Map<string, number>()
    let batch: AppendCommand[] = []
    let imported = 0
    const flush = async () => {
      if (batch.length === 0) return
      // Between batches the page paints (progress) and takes input (a cancel).
      options.onProgress?.({ phase: 'importing', done: imported, total: bundle.events.length })
      await yieldToPage(options.signal)
      const outcomes = await log.append(batch)
      imported += batch.reduce((sum, command) => sum + command.events.length, 0)
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
      if (batch.length >= (options.sliceSize ?? 1000)) await flush()
    }
    await flush()
    options.onProgress?.({ phase: 'importing', done: imported, total: bundle.events.length })
  } finally {
    log.close()
  }
}

/** What `openBundle` needs besides the bundle. */
export interface OpenBundleOptions extends BundleWorkOptions {
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
  const work = { ...(options.signal ? { signal: options.signal } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) }
  await importBundle(bundle, storage, work)
  options.onProgress?.({ phase: 'replaying', done: 0, total: bundle.events.length })
  await yieldToPage(options.signal)
  const store = createStore({ name: bundle.store, commands: options.commands ?? [], projections: options.projections, storage, persist: false })
  try {
    await store.ready
    options.signal?.throwIfAborted()
  } catch (error) {
    await store.close()
    throw error
  }
  options.onProgress?.({ phase: 'replaying', done: bundle.events.length, total: bundle.events.length })
  return store
}

/** Projections whose version differs between a bundle and the definitions at hand (states may differ). */
export function projectionMismatches(bundle: ReproBundle, projections: readonly AnyProjectionDefinition[]): string[] {
  const current = new Map(projections.map((p) => [p.name, p.version]))
  return bundle.projections
    .filter((p) => current.has(p.name) && current.get(p.name) !== p.version)
    .map((p) => `${p.name}: bundle v${p.version}, here v${current.get(p.name)!}`)
}
