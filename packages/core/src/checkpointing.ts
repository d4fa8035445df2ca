import { asChronicleError, type StoreKernel } from './kernel'
import type { SavedStreamDirectory } from './storage/storage'

/** How long a due background checkpoint waits for the page to be idle, at most (ms). */
const idleCheckpointWait = 5000

/**
 * Saves read-model checkpoints in the background, so a cold start replays only the tail: once
 * `checkpointEvery` events gathered after the stored ones, at most every `checkpointInterval`
 * ms, while the page is idle (saving copies every read model whole: one long task for a large
 * one, which must not land between a click and its answer).
 */
export class Checkpointing {
  #timer: ReturnType<typeof setTimeout> | undefined
  /** The idle callback a due background checkpoint waits for (where the browser has them). */
  #idle: number | undefined
  #last = 0

  constructor(
    private readonly kernel: StoreKernel,
    /** Runs work while no batch is deciding or committing (`Dispatcher.exclusive`). */
    private readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>,
  ) {
    kernel.onApplied(() => this.schedule())
    kernel.onShutDown(() => this.cancel())
  }

  /** Plans a background save when enough events gathered since the stored checkpoints. */
  schedule(): void {
    const { kernel } = this
    const { options, readModels } = kernel
    // Without read models there is still the write model's directory of streams to save.
    if (this.#timer !== undefined || kernel.closed || ((options.projections ?? []).length === 0 && !kernel.writeModel.directory.known)) return
    // A short tail costs a cold start little; saving copies every read model whole.
    if (readModels.position - kernel.checkpointedAt < (options.checkpointEvery ?? 1000)) return
    const interval = options.checkpointInterval ?? 1000
    const wait = Math.max(0, this.#last + interval - Date.now())
    const save = () => {
      this.#timer = this.#idle = undefined
      void this.save().catch((error: unknown) => kernel.errors.emit(asChronicleError(error)))
    }
    this.#timer = setTimeout(() => {
      if (typeof requestIdleCallback === 'function') this.#idle = requestIdleCallback(save, { timeout: idleCheckpointWait })
      else save()
    }, wait)
  }

  /** Drops a due background checkpoint (closing saves at once, or not at all). */
  cancel(): void {
    clearTimeout(this.#timer)
    if (this.#idle !== undefined) cancelIdleCallback(this.#idle)
    this.#timer = this.#idle = undefined
  }

  /** Saves every read model's checkpoint now, and the write model's directory of streams. */
  async save(): Promise<void> {
    const { kernel } = this
    this.#last = Date.now()
    const checkpoints = kernel.readModels.checkpoints()
    if (checkpoints.length > 0 && !kernel.closed) await kernel.log().saveCheckpoints(checkpoints)
    const streams = kernel.closed ? undefined : kernel.log().streams
    if (streams && kernel.writeModel.directory.known) await streams.saveDirectory(await this.exclusive(async () => this.#directory()))
    // Without a working read model there is nothing a checkpoint would spare.
    kernel.checkpointedAt = Math.min(kernel.readModels.position, ...checkpoints.map((c) => c.position))
  }

  /**
   * The write model's directory and its cached states, taken while no batch is in flight: every
   * stream of an event up to the read models' position is in the directory (it is told of each
   * one they apply), and every state is committed, none beyond what the log holds.
   */
  #directory(): SavedStreamDirectory {
    const { readModels, writeModel } = this.kernel
    return { position: readModels.position, hashes: writeModel.directory.export() ?? new Uint32Array(), states: writeModel.saved() }
  }
}
