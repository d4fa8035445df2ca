import { describe, expectTypeOf, it } from 'vitest'
import { CommandObserver, type ChronicleError, type CommandState, type Receipt, type Store } from '../index'
import { addCard } from './fixtures'

type AddInput = { boardId: string; cardId: string; title: string }
declare const store: Store

describe('CommandObserver types', () => {
  it('infers the payload from the command definition', () => {
    const observer = new CommandObserver(store, addCard, { onSuccess: (_receipt, variables) => expectTypeOf(variables).toEqualTypeOf<AddInput>() })
    expectTypeOf(observer).toEqualTypeOf<CommandObserver<AddInput>>()
    expectTypeOf(observer.dispatch).parameter(0).toEqualTypeOf<AddInput>()
    expectTypeOf(observer.dispatch).returns.toEqualTypeOf<Promise<Receipt>>()
    expectTypeOf(observer.getSnapshot()).toEqualTypeOf<CommandState<AddInput>>()
    // @ts-expect-error a wrong payload
    void observer.dispatch({ boardId: 'b' })
  })

  it('narrows the state by status and flags', () => {
    const state = new CommandObserver(store, addCard).getSnapshot()
    if (state.status === 'error') expectTypeOf(state.error).toEqualTypeOf<ChronicleError>()
    if (state.isSuccess) expectTypeOf(state.receipt).toEqualTypeOf<Receipt>()
    if (!state.isIdle) expectTypeOf(state.variables).toEqualTypeOf<AddInput>()
  })
})
