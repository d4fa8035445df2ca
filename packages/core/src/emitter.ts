import { Observable, type Subscriber } from 'rxjs'

/**
 * One kind of notification and its listeners: what an RxJS `Subject` does for core, without
 * bundling `Subject` into every app (core hands out `Observable`s only, so an app pays for
 * `Observable` and nothing more of RxJS).
 */
export interface Emitter<T> {
  /** Calls every listener registered now with `value`, in the order they were added. */
  emit(value: T): void
  /** Registers `listener`; the function returned removes it. */
  listen(listener: (value: T) => void): () => void
  /** True while at least one listener is registered. */
  readonly observed: boolean
  /** The notifications as an RxJS Observable (one listener per subscription). */
  readonly observable: Observable<T>
}

export function createEmitter<T>(): Emitter<T> {
  const listeners = new Set<(value: T) => void>()
  return {
    emit(value) {
      // A copy: a listener added while emitting waits for the next value, as with a Subject.
      for (const listener of [...listeners]) if (listeners.has(listener)) listener(value)
    },
    listen(listener) {
      // Wrapped, so one function registered twice stays two registrations.
      const entry = (value: T) => listener(value)
      listeners.add(entry)
      return () => void listeners.delete(entry)
    },
    get observed() {
      return listeners.size > 0
    },
    // Observable's subscriber guards each listener: one that throws is reported on its own and
    // does not stop the others.
    observable: new Observable<T>((subscriber) => {
      const entry = (value: T) => subscriber.next(value)
      listeners.add(entry)
      return () => void listeners.delete(entry)
    }),
  }
}

/**
 * A value that changes over time, read synchronously with `value` and watched as an Observable
 * that emits the current value on subscription, then each different one (by `Object.is`). What
 * `BehaviorSubject` with `distinctUntilChanged()` gives, with neither bundled.
 */
export interface ValueCell<T> {
  readonly value: T
  /** Sets the value; subscribers hear of it only when it differs from the current one. */
  set(value: T): void
  /** Completes every subscription; later ones get the last value, then complete. `set` is ignored after. */
  complete(): void
  readonly observable: Observable<T>
}

export function createValueCell<T>(initial: T): ValueCell<T> {
  let current = initial
  let completed = false
  const subscribers = new Set<Subscriber<T>>()
  return {
    get value() {
      return current
    },
    set(value) {
      if (completed || Object.is(value, current)) return
      current = value
      for (const subscriber of [...subscribers]) subscriber.next(value)
    },
    complete() {
      completed = true
      for (const subscriber of [...subscribers]) subscriber.complete()
      subscribers.clear()
    },
    observable: new Observable<T>((subscriber) => {
      subscriber.next(current)
      if (completed) return subscriber.complete()
      subscribers.add(subscriber)
      return () => void subscribers.delete(subscriber)
    }),
  }
}
