import { BehaviorSubject } from 'rxjs'

/**
 * A BehaviorSubject that emits only changes (by `Object.is`): a new subscriber gets the current
 * value, then each different one. What `pipe(distinctUntilChanged())` gives, without bundling
 * the operator into every app.
 */
export class ValueSubject<T> extends BehaviorSubject<T> {
  override next(value: T): void {
    if (!Object.is(value, this.getValue())) super.next(value)
  }
}
