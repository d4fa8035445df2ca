import type { AnyAggregateDefinition } from './aggregate'
import type { CommandDefinition, CommandOptions } from './command'
import type { Receipt } from './dispatcher'
import type { ChronicleError } from './errors'
import type { Store } from './store'

/**
 * What to do when a dispatch settles: `onSuccess` with the receipt, `onError` with the typed
 * error, then `onSettled` either way; each also gets the payload the command was dispatched with.
 */
export interface CommandCallbacks<Input> {
  readonly onSuccess?: ((receipt: Receipt, variables: Input) => void) | undefined
  readonly onError?: ((error: ChronicleError, variables: Input) => void) | undefined
  readonly onSettled?: ((receipt: Receipt | undefined, error: ChronicleError | undefined, variables: Input) => void) | undefined
}

/** The options of one dispatch: the command's own options and callbacks for this call alone. */
export interface CommandCallOptions<Input> extends CommandOptions, CommandCallbacks<Input> {}

/**
 * Where the latest dispatch of a `CommandObserver` (or a `useCommand` hook) stands. Narrow on
 * `status` or on one of the flags: after `isError`, `error` is the `ChronicleError`; after
 * `isSuccess`, `receipt` is the `Receipt`; `variables` is the payload dispatched, except when idle.
 */
export type CommandState<Input = unknown> =
  | {
      readonly status: 'idle'
      readonly isIdle: true
      readonly isPending: false
      readonly isSuccess: false
      readonly isError: false
      readonly variables: undefined
      readonly receipt: undefined
      readonly error: undefined
    }
  | {
      readonly status: 'pending'
      readonly isIdle: false
      readonly isPending: true
      readonly isSuccess: false
      readonly isError: false
      readonly variables: Input
      readonly receipt: undefined
      readonly error: undefined
    }
  | {
      readonly status: 'ok'
      readonly isIdle: false
      readonly isPending: false
      readonly isSuccess: true
      readonly isError: false
      readonly variables: Input
      readonly receipt: Receipt
      readonly error: undefined
    }
  | {
      readonly status: 'error'
      readonly isIdle: false
      readonly isPending: false
      readonly isSuccess: false
      readonly isError: true
      readonly variables: Input
      readonly receipt: undefined
      readonly error: ChronicleError
    }

const idle: Extract<CommandState<never>, { status: 'idle' }> = {
  status: 'idle',
  isIdle: true,
  isPending: false,
  isSuccess: false,
  isError: false,
  variables: undefined,
  receipt: undefined,
  error: undefined,
}

/** Calls a user's callback; what it throws surfaces as an unhandled rejection, not as the command's outcome. */
function invoke<A extends unknown[]>(callback: ((...args: A) => void) | undefined, ...args: A): void {
  try {
    callback?.(...args)
  } catch (error) {
    void Promise.reject(error)
  }
}

/** How a dispatch ended. */
type Outcome = { readonly ok: true; readonly receipt: Receipt; readonly error: undefined } | { readonly ok: false; readonly receipt: undefined; readonly error: ChronicleError }

/** Calls `onSuccess` or `onError`, then `onSettled`. */
function settle<Input>(callbacks: CommandCallbacks<Input>, outcome: Outcome, variables: Input): void {
  if (outcome.ok) invoke(callbacks.onSuccess, outcome.receipt, variables)
  else invoke(callbacks.onError, outcome.error, variables)
  invoke(callbacks.onSettled, outcome.receipt, outcome.error, variables)
}

/**
 * Dispatches one command type to a store and follows its latest dispatch: the state (`status`,
 * `isPending`, `isSuccess`, `isError`, `variables`, `receipt`, `error`), listeners told of every
 * change, and callbacks when a dispatch settles, the shape of TanStack Query's `MutationObserver`.
 * `useCommand` is a few lines over it.
 *
 * - The state follows the latest dispatch only; `reset()` goes back to idle and drops the outcome
 *   of a dispatch in flight.
 * - The observer's own callbacks (`setCallbacks`) are called for every dispatch that settles. The
 *   callbacks of one call (`dispatch(payload, { onSuccess })`) only when it is still the latest,
 *   not reset since, and the observer still has listeners (the component is mounted).
 * - A callback that throws does not change the outcome; its error surfaces as an unhandled rejection.
 *
 * `subscribe`, `getSnapshot`, `dispatch` and `reset` are bound, so they can be passed on.
 *
 * @example
 * const adding = new CommandObserver(store, addCard, { onError: (error) => toast(error.message) })
 * adding.subscribe(() => render(adding.getSnapshot()))
 * await adding.dispatch({ boardId: 'b1', cardId: newId(), title: 'Write docs' })
 */
export class CommandObserver<Input> {
  /** The store commands are dispatched to. */
  readonly store: Store
  /** The command type dispatched. */
  readonly command: CommandDefinition<string, Input, unknown, AnyAggregateDefinition>
  #callbacks: CommandCallbacks<Input>
  #state: CommandState<Input> = idle
  #listeners = new Set<() => void>()
  /** Numbers the dispatches: only the latest one, not reset since, may set the state. */
  #latest = 0

  constructor(store: Store, command: CommandDefinition<string, Input, unknown, AnyAggregateDefinition>, callbacks: CommandCallbacks<Input> = {}) {
    this.store = store
    this.command = command
    this.#callbacks = callbacks
    this.subscribe = this.subscribe.bind(this)
    this.getSnapshot = this.getSnapshot.bind(this)
    this.dispatch = this.dispatch.bind(this)
    this.reset = this.reset.bind(this)
  }

  /** Replaces the callbacks called for every dispatch (those given to the constructor at first). */
  setCallbacks(callbacks: CommandCallbacks<Input>): void {
    this.#callbacks = callbacks
  }

  /** Calls `listener` whenever the state changes; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    const entry = () => listener()
    this.#listeners.add(entry)
    return () => {
      this.#listeners.delete(entry)
    }
  }

  /** The state of the latest dispatch: the same object until it changes. */
  getSnapshot(): CommandState<Input> {
    return this.#state
  }

  /**
   * Dispatches `command(payload)`; resolves with the receipt once its events are committed and
   * every read model has applied them, rejects with the typed error (and writes nothing) when the
   * command fails. `options` are the command's options plus callbacks for this call.
   */
  async dispatch(payload: Input, options: CommandCallOptions<Input> = {}): Promise<Receipt> {
    const { onSuccess, onError, onSettled, ...commandOptions } = options
    const call = ++this.#latest
    this.#update(call, { ...idle, status: 'pending', isIdle: false, isPending: true, variables: payload })
    let outcome: Outcome
    try {
      outcome = { ok: true, receipt: await this.store.dispatch(this.command(payload, commandOptions)), error: undefined }
    } catch (cause) {
      outcome = { ok: false, receipt: undefined, error: cause as ChronicleError }
    }
    const shown = this.#update(
      call,
      outcome.ok
        ? { ...idle, status: 'ok', isIdle: false, isSuccess: true, variables: payload, receipt: outcome.receipt }
        : { ...idle, status: 'error', isIdle: false, isError: true, variables: payload, error: outcome.error },
    )
    settle(this.#callbacks, outcome, payload)
    if (shown) settle({ onSuccess, onError, onSettled }, outcome, payload)
    if (!outcome.ok) throw outcome.error
    return outcome.receipt
  }

  /** Back to idle; the outcome of a dispatch still in flight is then not shown. */
  reset(): void {
    this.#latest++
    this.#set(idle)
  }

  /** Sets the state when `call` is the latest dispatch; true when it was and someone listens. */
  #update(call: number, state: CommandState<Input>): boolean {
    if (call !== this.#latest) return false
    this.#set(state)
    return this.#listeners.size > 0
  }

  #set(state: CommandState<Input>): void {
    if (state === this.#state) return
    this.#state = state
    for (const listener of [...this.#listeners]) listener()
  }
}
