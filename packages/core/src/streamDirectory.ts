/**
 * Which streams the log holds, as far as this store knows: read once from the log
 * (`StreamStorage.streamIds`) and told of every stream written since, by this store or by others
 * whose events it applied. A stream it does not hold is new, so a command on it is decided on the
 * aggregate's initial state without reading the log; should another writer have created it
 * meanwhile, the append says so (a conflict) and the stream is read and decided again.
 *
 * Ids are kept as 30-bit hashes (a small integer in V8: about 20 bytes a stream, whatever the
 * id's length). Two ids with one hash only cost a read of the stream that was new after all.
 */
export class StreamDirectory {
  readonly #hashes = new Set<number>()
  #known = false
  #loading: Promise<void> | undefined

  /** While the log's streams are being read: resolves when that is done (commands wait for it rather than read their streams). */
  get loading(): Promise<void> | undefined {
    return this.#loading
  }

  /** True once the log's streams were read: before that no stream counts as new. */
  get known(): boolean {
    return this.#known
  }

  /** Whether `stream` is surely not in the log (as far as this store knows): no read needed to decide on it. */
  isNew(stream: string): boolean {
    return this.#known && !this.#hashes.has(hashOf(stream))
  }

  /** `stream` is (or may be) in the log. */
  add(stream: string): void {
    this.#hashes.add(hashOf(stream))
  }

  /**
   * Reads the log's streams (`list`); streams added meanwhile stay. A failed read leaves the
   * directory unknown: every stream not cached is then read, as without a directory.
   */
  load(list: () => Promise<readonly string[]>): Promise<void> {
    this.#loading = list().then(
      (streams) => {
        for (const stream of streams) this.add(stream)
        this.#known = true
        this.#loading = undefined
      },
      () => {
        // Unknown: commands read their streams.
        this.#loading = undefined
      },
    )
    return this.#loading
  }
}

/** FNV-1a over the id's UTF-16 code units, folded to 30 bits (a V8 small integer). */
function hashOf(id: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193)
  return (hash ^ (hash >>> 30)) & 0x3fffffff
}
