import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import {
  StoreReadiness,
  type AnyProjectionDefinition,
  type AnyQueryDefinition,
  type ChronicleError,
  type CommandDefinition,
  type CommandOptions,
  type ParamsOf,
  type ProjectionState,
  type Receipt,
  type ResultOf,
  type AnyAggregateDefinition,
} from '@chronicle/core'
import { useChronicleContext } from './context'
import { useSelected } from './useSelected'

const identity = <T,>(value: T) => value

/**
 * A read model's state, or the slice `selector` picks; re-renders only when that slice changes
 * (by `equal`, default `Object.is`). Keep selectors cheap and return existing parts of the state.
 *
 * @example
 * const todo = useProjection(boardView, (s) => s.columns.todo ?? empty)
 */
export function useProjection<P extends AnyProjectionDefinition, R = ProjectionState<P>>(
  projection: P,
  selector?: (state: ProjectionState<P>) => R,
  equal?: (a: R, b: R) => boolean,
): R {
  return useSelected('useProjection', projection, (selector ?? identity) as (state: unknown) => R, equal)
}

/**
 * The result of a parameterised query; re-renders only when the result changes.
 *
 * @example
 * const ids = useQuery(cardsInColumn, 'todo')
 */
export function useQuery<Q extends AnyQueryDefinition>(query: Q, params: ParamsOf<Q>, equal?: (a: ResultOf<Q>, b: ResultOf<Q>) => boolean): ResultOf<Q> {
  const select = useCallback((state: unknown) => query.select(state as never, params as never) as ResultOf<Q>, [query, params])
  return useSelected('useQuery', query.projection, select, equal)
}

/**
 * The state of a `useCommand` hook: its last dispatch's status, with the typed error when it
 * failed and the receipt when it succeeded. Narrow on `status`.
 */
export type CommandState =
  | { readonly status: 'idle'; readonly error: undefined; readonly receipt: undefined }
  | { readonly status: 'pending'; readonly error: undefined; readonly receipt: undefined }
  | { readonly status: 'ok'; readonly error: undefined; readonly receipt: Receipt }
  | { readonly status: 'error'; readonly error: ChronicleError; readonly receipt: undefined }

/** The functions `useCommand` returns beside its state; they keep their identity across renders. */
export interface CommandActions<Input> {
  /** Dispatches; never rejects (a failure lands in `error`), resolves with the receipt or undefined. */
  dispatch(payload: Input, options?: CommandOptions): Promise<Receipt | undefined>
  /** Dispatches and rejects on failure, for callers that handle errors themselves. */
  dispatchAsync(payload: Input, options?: CommandOptions): Promise<Receipt>
  /** Back to `idle`; the outcome of a dispatch still in flight is then ignored. */
  reset(): void
}

/** What `useCommand` returns. */
export type CommandHandle<Input> = CommandState & CommandActions<Input>

const idle: CommandState = { status: 'idle', error: undefined, receipt: undefined }
const pending: CommandState = { status: 'pending', error: undefined, receipt: undefined }

/**
 * A dispatch function for one command type, with the status of its last dispatch. A component
 * that unmounts while its command is pending gets no further update; the command still commits.
 *
 * @example
 * const add = useCommand(addCard)
 * <button disabled={add.status === 'pending'} onClick={() => add.dispatch({ boardId, cardId: newId(), title })}>Add</button>
 * {add.status === 'error' && <p role="alert">{add.error.message}</p>}
 */
export function useCommand<Input>(command: CommandDefinition<string, Input, unknown, AnyAggregateDefinition>): CommandHandle<Input> {
  const { store } = useChronicleContext('useCommand')
  const [state, setState] = useState<CommandState>(idle)
  const mounted = useRef(true)
  // Numbers the dispatches: only the latest one (not reset since) may set the state.
  const latest = useRef(0)
  useEffect(() => {
    mounted.current = true
    return () => {
      mounted.current = false
    }
  }, [])

  const dispatchAsync = useCallback(
    async (payload: Input, options?: CommandOptions) => {
      const call = ++latest.current
      const update = (next: CommandState) => {
        if (mounted.current && call === latest.current) setState(next)
      }
      update(pending)
      try {
        const receipt = await store.dispatch(command(payload, options))
        update({ status: 'ok', error: undefined, receipt })
        return receipt
      } catch (error) {
        update({ status: 'error', error: error as ChronicleError, receipt: undefined })
        throw error
      }
    },
    [store, command],
  )
  const dispatch = useCallback(
    (payload: Input, options?: CommandOptions) => dispatchAsync(payload, options).catch(() => undefined),
    [dispatchAsync],
  )
  const reset = useCallback(() => {
    latest.current++
    setState(idle)
  }, [])
  return { ...state, dispatch, dispatchAsync, reset }
}

/** True once the store's read models are loaded (after a cold start); re-renders when that happens. */
export function useIsReady(): boolean {
  const { store } = useChronicleContext('useIsReady')
  const readiness = StoreReadiness.of(store)
  return useSyncExternalStore(readiness.subscribe, readiness.getSnapshot, readiness.getSnapshot)
}
