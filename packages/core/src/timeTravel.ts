import type { Dispatcher } from './dispatcher'
import { PositionError } from './errors'
import type { StoreKernel } from './kernel'
import type { AnyProjectionDefinition } from './projection'

/**
 * Time travel (docs/history.md): every read model as of a past position while live events keep
 * being applied underneath, and any read model's state at a position without travelling. The
 * folding lives in the read models and their snapshot index; this is the store's side.
 */
export class TimeTravel {
  constructor(
    private readonly kernel: StoreKernel,
    private readonly dispatcher: Dispatcher,
  ) {}

  /** `store.travel`: shows every read model as of `target` (null: live again). */
  async travel(target: number | null): Promise<void> {
    const { kernel } = this
    if (target !== null) {
      this.#checkPosition(target, 'Cannot travel to')
      // Whatever is being committed lands first, so the live state is whole when we return.
      await this.dispatcher.idle()
      await kernel.ingested()
    }
    await kernel.readModels.travel(target)
    kernel.travelling$.set(kernel.readModels.travelling)
    // Later jumps fold from the index; this one did not wait for it.
    if (target !== null) void kernel.readModels.prepareTravel().catch(() => undefined)
  }

  /** `store.stateAt`: a read model's state as of `target`, without travelling. */
  async stateAt(projection: AnyProjectionDefinition, target: number): Promise<unknown> {
    this.#checkPosition(target, 'No state at')
    const state = await this.kernel.readModels.stateAt(projection, target)
    void this.kernel.readModels.prepareTravel().catch(() => undefined)
    return state
  }

  /** Throws ValidationError `invalid-position` unless `target` is a log position (0 to the head); `what` opens the message. */
  #checkPosition(target: number, what: string): void {
    const head = this.kernel.readModels.position
    if (!Number.isInteger(target) || target < 0 || target > head) {
      throw new PositionError('invalid-position', `${what} ${String(target)}: positions run from 0 to ${head}.`)
    }
  }
}
