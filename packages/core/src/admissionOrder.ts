/**
 * Hands admitted commands to the dispatcher in the order they were dispatched. Admission
 * (validation, `authorize`) is asynchronous and may take longer for one command than for the next;
 * without this, a command dispatched later could reach the group commit first and be decided on a
 * state its predecessor had not yet changed. Commands whose admission finishes in the same tick
 * still reach the same group commit: a turn runs synchronously as soon as every earlier one did.
 */
export class AdmissionOrder {
  #issued = 0
  #next = 0
  readonly #ready = new Map<number, () => void>()

  /** A place in line, taken when a command is dispatched. */
  take(): number {
    return this.#issued++
  }

  /** Calls `queue` once every earlier place has called its own (or given it up with `skip`). */
  run<T>(place: number, queue: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => this.#turn(place, () => void queue().then(resolve, reject)))
  }

  /** Gives up a place (the command failed admission). */
  skip(place: number): void {
    this.#turn(place, () => undefined)
  }

  #turn(place: number, turn: () => void): void {
    this.#ready.set(place, turn)
    while (this.#ready.has(this.#next)) {
      const next = this.#ready.get(this.#next)!
      this.#ready.delete(this.#next++)
      next()
    }
  }
}
