import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react'
import {
  CommandObserver,
  StoreReadiness,
  type AnyProjectionDefinition,
  type AnyQueryDefinition,
  type CommandCallbacks,
  type CommandCallOptions,
  type CommandState,
  type CommandDefinition,
  type ParamsOf,
  type ProjectionState,
  type Receipt,
  type ResultOf,
  type AnyAggregateDefinition,
  type ViewOptions,
} from '@chronicle/core'
import { useChronicleContext } from './context'
import { useSelected } from './useSelected'

const identity = <T,>(value: T) => value

/** Options of `useProjection` and `useQuery`, in place of `equal`. */
export interface SelectOptions<R> extends ViewOptions {
  /** When two results are the same (default `Object.is`): the component re-renders only when they are not. */
  readonly equal?: ((a: R, b: R) => boolean) | undefined
}

const optionsOf = <R,>(equal: ((a: R, b: R) => boolean) | SelectOptions<R> | undefined): SelectOptions<R> => (typeof equal === 'function' ? { equal } : (equal ?? {}))

/**
 * A read model's state, or the slice `selector` picks; re-renders only when that slice changes
 * (by `equal`, default `Object.is`). Keep selectors cheap and return existing parts of the state.
 * It shows provisional events (a command still committing) unless `{ committed: true }`; a
 * change caused by a dispatch made in `startTransition` renders as part of that transition.
 *
 * @example
 * const todo = useProjection(boardView, (s) => s.columns.todo ?? empty)
 * const balance = useProjection(accounts, (s) => s.balance, { committed: true })
 */
export function useProjection<P extends AnyProjectionDefinition, R = ProjectionState<P>>(
  projection: P,
  selector?: (state: ProjectionState<P>) => R,
  equal?: ((a: R, b: R) => boolean) | SelectOptions<R>,
): R {
  const options = optionsOf(equal)
  return useSelected('useProjection', projection, (selector ?? identity) as (state: unknown) => R, options.equal, options.committed)
}

/**
 * The result of a parameterised query; re-renders only when the result changes.
 *
 * @example
 * const ids = useQuery(cardsInColumn, 'todo')
 */
export function useQuery<Q extends AnyQueryDefinition>(query: Q, params: ParamsOf<Q>, equal?: ((a: ResultOf<Q>, b: ResultOf<Q>) => boolean) | SelectOptions<ResultOf<Q>>): ResultOf<Q> {
  const select = useCallback((state: unknown) => query.select(state as never, params as never) as ResultOf<Q>, [query, params])
  const options = optionsOf(equal)
  return useSelected('useQuery', query.projection, select, options.equal, options.committed)
}

/**
 * True while `projection`'s read model (without one: any read model) shows events not in the log
 * yet: a command still committing (optimistic read models), or with sync one the server has not
 * confirmed. Re-renders when that changes.
 *
 * @example
 * const saving = useProvisional(boardView)
 * <ul aria-busy={saving}>...</ul>
 */
export function useProvisional(projection?: AnyProjectionDefinition): boolean {
  const { store } = useChronicleContext('useProvisional')
  const subscribe = useCallback(
    (listener: () => void) => {
      const subscriptions = (projection ? [projection] : store.projections).map((p) => store.query(p).subscribe({ next: listener, error: () => undefined }))
      return () => subscriptions.forEach((s) => s.unsubscribe())
    },
    [store, projection],
  )
  const provisional = () => store.provisional(projection)
  return useSyncExternalStore(subscribe, provisional, provisional)
}

/** The functions `useCommand` returns beside its state; they keep their identity across renders. */
export interface CommandActions<Input> {
  /**
   * Dispatches; never rejects (a failure lands in `error`), resolves with the receipt or undefined.
   * `options` are the command's options plus `onSuccess`/`onError`/`onSettled` for this call, called
   * only when it is still the latest dispatch and the component is still mounted.
   */
  dispatch(payload: Input, options?: CommandCallOptions<Input>): Promise<Receipt | undefined>
  /** Dispatches and rejects on failure, for callers that handle errors themselves. */
  dispatchAsync(payload: Input, options?: CommandCallOptions<Input>): Promise<Receipt>
  /** Back to `idle`; the outcome of a dispatch still in flight is then ignored. */
  reset(): void
}

/** What `useCommand` returns: the state of its latest dispatch and the functions to dispatch. */
export type CommandHandle<Input> = CommandState<Input> & CommandActions<Input>

/**
 * A dispatch function for one command type, with the state of its latest dispatch (`status`,
 * `isPending`, `isSuccess`, `isError`, `variables`, `receipt`, `error`), over the core's
 * `CommandObserver`, with the idioms of TanStack Query's `useMutation`. `callbacks` run for every
 * dispatch that settles, even after the component unmounted (the latest ones given are called); a
 * component that unmounts while its command is pending gets no further update, and the command
 * still commits.
 *
 * @example
 * const add = useCommand(addCard, { onSuccess: () => setTitle('') })
 * <button disabled={add.isPending} onClick={() => add.dispatch({ boardId, cardId: newId(), title })}>Add</button>
 * {add.isError && <p role="alert">{add.error.message}</p>}
 */
export function useCommand<Input>(
  command: CommandDefinition<string, Input, unknown, AnyAggregateDefinition>,
  callbacks?: CommandCallbacks<Input>,
): CommandHandle<Input> {
  const { store } = useChronicleContext('useCommand')
  const observer = useMemo(() => new CommandObserver(store, command, callbacks), [store, command])
  useEffect(() => observer.setCallbacks(callbacks ?? {}))
  const state = useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getSnapshot)
  const dispatch = useCallback((payload: Input, options?: CommandCallOptions<Input>) => observer.dispatch(payload, options).catch(() => undefined), [observer])
  return { ...state, dispatch, dispatchAsync: observer.dispatch, reset: observer.reset }
}

/** True once the store's read models are loaded (after a cold start); re-renders when that happens. */
export function useIsReady(): boolean {
  const { store } = useChronicleContext('useIsReady')
  const readiness = StoreReadiness.of(store)
  return useSyncExternalStore(readiness.subscribe, readiness.getSnapshot, readiness.getSnapshot)
}
