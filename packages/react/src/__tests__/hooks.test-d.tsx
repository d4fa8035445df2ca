import { describe, expectTypeOf, it } from 'vitest'
import { defineQuery, type ChronicleError, type Receipt, type Store, type SyncRejection, type SyncStatus } from '@chronicle/core'
import { useCommand, useIsReady, useProjection, useProvisional, useQuery, useStore, useSyncRejections, useSyncStatus, type CommandCallOptions, type CommandHandle } from '../index'
import { addCard, boardView, moveCard, titles } from '../../../core/src/__tests__/fixtures'

const cardsIn = defineQuery({ projection: boardView, select: (s, column: string) => s.columns[column] ?? [] })
const firstOf = defineQuery({ projection: boardView, select: (s, where: { column: string; first: number }) => (s.columns[where.column] ?? []).slice(0, where.first) })

describe('hook types', () => {
  it('infers useProjection from the projection, with and without a selector', () => {
    expectTypeOf(useProjection(boardView)).toEqualTypeOf<{ columns: Record<string, string[]>; count: number }>()
    expectTypeOf(useProjection(titles)).toEqualTypeOf<Record<string, string>>()
    expectTypeOf(useProjection(boardView, (s) => s.count)).toEqualTypeOf<number>()
    expectTypeOf(useProjection(boardView, (s) => s.columns.todo)).toEqualTypeOf<string[] | undefined>()
    useProjection(
      boardView,
      (s) => Object.keys(s.columns),
      (a, b) => {
        expectTypeOf(a).toEqualTypeOf<string[]>()
        expectTypeOf(b).toEqualTypeOf<string[]>()
        return a.length === b.length
      },
    )
    // @ts-expect-error the selector sees the projection's state
    useProjection(boardView, (s) => s.nope)
    // @ts-expect-error equal compares the selected type
    useProjection(boardView, (s) => s.count, (a: string, b: string) => a === b)
  })

  it('takes { equal, committed } in place of equal, and useProvisional is a boolean', () => {
    expectTypeOf(useProjection(boardView, (s) => s.count, { committed: true })).toEqualTypeOf<number>()
    expectTypeOf(useProjection(boardView, (s) => Object.keys(s.columns), { equal: (a, b) => a.length === b.length })).toEqualTypeOf<string[]>()
    expectTypeOf(useQuery(cardsIn, 'todo', { committed: true })).toEqualTypeOf<string[]>()
    expectTypeOf(useProvisional()).toEqualTypeOf<boolean>()
    expectTypeOf(useProvisional(boardView)).toEqualTypeOf<boolean>()
    // @ts-expect-error committed is a boolean
    useProjection(boardView, (s) => s.count, { committed: 'yes' })
  })

  it('infers useQuery params and result', () => {
    expectTypeOf(useQuery(cardsIn, 'todo')).toEqualTypeOf<string[]>()
    expectTypeOf(useQuery(firstOf, { column: 'todo', first: 2 })).toEqualTypeOf<string[]>()
    expectTypeOf(useQuery<typeof cardsIn>).parameter(1).toEqualTypeOf<string>()
    // @ts-expect-error wrong params type
    useQuery(cardsIn, 3)
    // @ts-expect-error missing params
    useQuery(cardsIn)
    // @ts-expect-error incomplete object params
    useQuery(firstOf, { column: 'todo' })
  })

  it('types useCommand: the payload of dispatch, the receipt, the error by status', () => {
    const add = useCommand(addCard)
    expectTypeOf(add).toEqualTypeOf<CommandHandle<{ boardId: string; cardId: string; title: string }>>()
    expectTypeOf(add.dispatch).parameter(0).toEqualTypeOf<{ boardId: string; cardId: string; title: string }>()
    expectTypeOf(add.dispatch).parameter(1).toEqualTypeOf<CommandCallOptions<{ boardId: string; cardId: string; title: string }> | undefined>()
    expectTypeOf(add.dispatch).returns.toEqualTypeOf<Promise<Receipt | undefined>>()
    expectTypeOf(add.dispatchAsync).returns.toEqualTypeOf<Promise<Receipt>>()
    expectTypeOf(useCommand(moveCard).dispatch).parameter(0).toEqualTypeOf<{ boardId: string; cardId: string; to: string }>()
    // @ts-expect-error a wrong payload is a compile error
    add.dispatch({ boardId: 'b', cardId: 1, title: 't' })
    // @ts-expect-error a missing field is a compile error
    add.dispatch({ boardId: 'b' })
    expectTypeOf(add.status).toEqualTypeOf<'idle' | 'pending' | 'ok' | 'error'>()
    if (add.status === 'error') {
      expectTypeOf(add.error).toEqualTypeOf<ChronicleError>()
      expectTypeOf(add.receipt).toEqualTypeOf<undefined>()
    }
    if (add.status === 'ok') {
      expectTypeOf(add.receipt).toEqualTypeOf<Receipt>()
      expectTypeOf(add.error).toEqualTypeOf<undefined>()
    }
    const { status, error } = add
    if (status === 'error') expectTypeOf(error).toEqualTypeOf<ChronicleError>()
  })

  it('types useStore and useIsReady', () => {
    expectTypeOf(useStore()).toEqualTypeOf<Store>()
    expectTypeOf(useIsReady()).toEqualTypeOf<boolean>()
  })

  it('types the sync hooks: the status or undefined, rejections with their SyncRejected', () => {
    expectTypeOf(useSyncStatus()).toEqualTypeOf<SyncStatus | undefined>()
    expectTypeOf(useSyncRejections).parameter(0).parameter(0).toEqualTypeOf<SyncRejection>()
    useSyncRejections((rejection) => expectTypeOf(rejection.error.reason).toEqualTypeOf<ChronicleError>())
  })
})
