import { describe, expectTypeOf, it } from 'vitest'
import type { ChronicleError, Receipt } from '@chronicle/core'
import { shallow, useCommand, type CommandState } from '../index'
import { addCard, moveCard } from '../../../core/src/__tests__/fixtures'

type AddInput = { boardId: string; cardId: string; title: string }

describe('useCommand types', () => {
  it('types the hook\'s callbacks from the command definition', () => {
    useCommand(addCard, {
      onSuccess: (receipt, variables) => {
        expectTypeOf(receipt).toEqualTypeOf<Receipt>()
        expectTypeOf(variables).toEqualTypeOf<AddInput>()
      },
      onError: (error, variables) => {
        expectTypeOf(error).toEqualTypeOf<ChronicleError>()
        expectTypeOf(variables).toEqualTypeOf<AddInput>()
      },
      onSettled: (receipt, error, variables) => {
        expectTypeOf(receipt).toEqualTypeOf<Receipt | undefined>()
        expectTypeOf(error).toEqualTypeOf<ChronicleError | undefined>()
        expectTypeOf(variables).toEqualTypeOf<AddInput>()
      },
    })
    useCommand(moveCard, { onSuccess: (_receipt, variables) => expectTypeOf(variables.to).toEqualTypeOf<string>() })
    // @ts-expect-error the variables are the command's payload
    useCommand(addCard, { onSuccess: (_receipt, variables) => variables.to })
    // @ts-expect-error no such callback
    useCommand(addCard, { onMutate: () => undefined })
  })

  it('types a call\'s callbacks and the command options beside them', () => {
    const add = useCommand(addCard)
    void add.dispatch(
      { boardId: 'b', cardId: 'c', title: 't' },
      {
        commandId: 'id',
        onSuccess: (receipt, variables) => {
          expectTypeOf(receipt).toEqualTypeOf<Receipt>()
          expectTypeOf(variables).toEqualTypeOf<AddInput>()
        },
        onError: (error) => expectTypeOf(error).toEqualTypeOf<ChronicleError>(),
      },
    )
    // @ts-expect-error an unknown option
    void add.dispatchAsync({ boardId: 'b', cardId: 'c', title: 't' }, { retry: 3 })
    // @ts-expect-error the command id is a string
    void add.dispatch({ boardId: 'b', cardId: 'c', title: 't' }, { commandId: 1 })
  })

  it('narrows the state on its flags, with the variables typed', () => {
    const add = useCommand(addCard)
    expectTypeOf(add.variables).toEqualTypeOf<AddInput | undefined>()
    expectTypeOf(add.isPending).toEqualTypeOf<boolean>()
    if (add.isPending) expectTypeOf(add.variables).toEqualTypeOf<AddInput>()
    if (add.isError) {
      expectTypeOf(add.error).toEqualTypeOf<ChronicleError>()
      expectTypeOf(add.status).toEqualTypeOf<'error'>()
    }
    if (add.isSuccess) expectTypeOf(add.receipt).toEqualTypeOf<Receipt>()
    if (add.isIdle) expectTypeOf(add.variables).toEqualTypeOf<undefined>()
    expectTypeOf<CommandState>().toEqualTypeOf<CommandState<unknown>>()
    expectTypeOf(add.reset).toEqualTypeOf<() => void>()
  })

  it('types shallow as an equal for any selected type', () => {
    expectTypeOf(shallow<string[]>).toEqualTypeOf<(a: string[], b: string[]) => boolean>()
    // @ts-expect-error both sides have the same type
    shallow<string[]>(['a'], 1)
  })
})
