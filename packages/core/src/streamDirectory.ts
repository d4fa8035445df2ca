/**
 * Which streams the log holds, as far as this store knows: loaded when the log opens (the
 * directory a store saved with its checkpoints, then the streams of the events after it) and told
 * of every stream since, in the events this store writes and applies. A stream it does not hold is
 * new, so a command on it is decided on the aggregate's initial state without reading the log;
 * should another writer have created it meanwhile, the append collides with that stream's first
 * event (a conflict) and the stream is read and decided again.
 *
 * The one thing that would not collide is a stream whose first events compaction removed: the
 * directory holds every stream up to where it was loaded, and is loaded again whenever the write
 * model's caches are dropped (another tab announces a compaction, this tab comes back from being
 * away), until then no stream counts as new.
 *
 * Ids are kept as 30-bit hashes (a small integer in V8: about 20 bytes a stream in memory, 4 when
 * saved, whatever the id's length). Two ids with one hash only cost a read of the stream that was
 * new after all.
 */
export class StreamDirectory {
  readonly #hashes = new Set<number>()
  /** The hashes of streams with a compaction snapshot. */
  readonly #compacted = new Set<number>()
  #known = false
  #loading: Promise<void> | undefined
  #loader: ((listing: DirectoryListing) => Promise<void>) | undefined

  /** True once the log's streams were read: before that no stream counts as new. */
  get known(): boolean {
    return this.#known
  }

  /** While the log's streams are being read: resolves when that is done (commands wait for it rather than read their streams). */
  get loading(): Promise<void> | undefined {
    return this.#loading
  }

  /** Whether `stream` is surely not in the log (as far as this store knows): no read needed to decide on it. */
  isNew(stream: string): boolean {
    return this.#known && !this.#hashes.has(hashOf(stream))
  }

  /** Whether `stream` may have a compaction snapshot (false only when the directory knows it has none). */
  mayBeCompacted(stream: string): boolean {
    return !this.#known || this.#compacted.has(hashOf(stream))
  }

  /** `stream` is (or may be) in the log. */
  add(stream: string): void {
    this.#hashes.add(hashOf(stream))
  }

  /** The streams of `events` are in the log. */
  addAll(events: readonly { readonly stream: string }[]): void {
    for (const event of events) this.#hashes.add(hashOf(event.stream))
  }

  /** Every hash, to save (`StreamStorage.saveDirectory`); undefined while the directory is not known. */
  export(): Uint32Array | undefined {
    return this.#known ? Uint32Array.from(this.#hashes) : undefined
  }

  /**
   * Loads the directory with `loader` (which adds every stream of the log, by id or saved hash);
   * streams added meanwhile stay. A failed load leaves the directory unknown: every stream not
   * cached is then read, as without a directory.
   */
  load(loader: (listing: DirectoryListing) => Promise<void>): Promise<void> {
    this.#loader = loader
    return this.reload()
  }

  /** Loads again (the write model's caches were dropped: the log may hold streams this store did not hear of). */
  reload(): Promise<void> {
    const loader = this.#loader
    if (!loader) return Promise.resolve()
    this.#known = false
    const loading: Promise<void> = loader({
      add: (stream) => this.add(stream),
      addHash: (hash) => this.#hashes.add(hash & 0x3fffffff),
      addCompacted: (stream) => {
        this.add(stream)
        this.#compacted.add(hashOf(stream))
      },
    }).then(
      () => {
        if (this.#loading !== loading) return
        this.#known = true
        this.#loading = undefined
      },
      () => {
        // Unknown: commands read their streams.
        if (this.#loading === loading) this.#loading = undefined
      },
    )
    this.#loading = loading
    return loading
  }
}

/** What a directory's loader tells it (`StreamDirectory.load`). */
export interface DirectoryListing {
  /** A stream of the log. */
  add(stream: string): void
  /** A stream of the log, by its saved hash. */
  addHash(hash: number): void
  /** A stream with a compaction snapshot. */
  addCompacted(stream: string): void
}

/** FNV-1a over the id's UTF-16 code units, folded to 30 bits (a V8 small integer). */
function hashOf(id: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193)
  return (hash ^ (hash >>> 30)) & 0x3fffffff
}
