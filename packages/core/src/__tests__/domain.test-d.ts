import { describe, expectTypeOf, it } from 'vitest'
import * as v from 'valibot'
import { z } from 'zod'
import { defineAggregate, defineCommand, defineEvent, defineProjection, defineQuery, type EventEnvelope, type Receipt, type Store } from '../index'
import { addCard, board, boardView, CardAdded } from './fixtures'

describe('type inference', () => {
  it('infers event payloads from any Standard Schema', () => {
    const ZodEvent = defineEvent('ZodEvent', z.object({ n: z.number() }))
    expectTypeOf(ZodEvent({ n: 1 })).toEqualTypeOf<{ readonly type: 'ZodEvent'; readonly payload: { n: number } }>()
    expectTypeOf(CardAdded.type).toEqualTypeOf<'CardAdded'>()
    // @ts-expect-error a wrong payload type is a compile error
    CardAdded({ cardId: 1, column: 'todo', title: 't' })
    // @ts-expect-error a missing field is a compile error
    CardAdded({ cardId: 'c' })
  })

  it('types evolve handlers from the listed events and rejects unknown ones', () => {
    defineAggregate({
      name: 'x',
      events: [CardAdded],
      initial: () => ({ ids: [] as string[] }),
      evolve: {
        CardAdded: (draft, payload, envelope) => {
          expectTypeOf(payload).toEqualTypeOf<{ cardId: string; column: string; title: string }>()
          expectTypeOf(envelope.type).toEqualTypeOf<'CardAdded'>()
          expectTypeOf(draft.ids).toEqualTypeOf<string[]>()
        },
      },
    })
    defineAggregate({
      name: 'y',
      events: [CardAdded],
      initial: () => ({}),
      evolve: {
        // @ts-expect-error an unknown event handler is a compile error
        CardRemoved: () => {},
      },
    })
  })

  it('types commands: payload input, handler state, returned events', () => {
    expectTypeOf(addCard).parameter(0).toEqualTypeOf<{ boardId: string; cardId: string; title: string }>()
    // @ts-expect-error a wrong command payload is a compile error
    addCard({ boardId: 'b', cardId: 1, title: 't' })
    defineCommand({
      type: 'bad',
      schema: v.object({ id: v.string() }),
      aggregate: board,
      stream: (cmd) => cmd.id,
      // @ts-expect-error returning an event of another aggregate is a compile error
      handle: (state, cmd) => {
        expectTypeOf(state.cards).toEqualTypeOf<Record<string, { column: string; title: string }>>()
        expectTypeOf(cmd).toEqualTypeOf<{ id: string }>()
        return defineEvent('Foreign', v.object({}))({})
      },
    })
  })

  it('types projections, queries and the store API', () => {
    const store = {} as Store
    expectTypeOf(store.dispatch(addCard({ boardId: 'b', cardId: 'c', title: 't' }))).resolves.toEqualTypeOf<Receipt>()
    expectTypeOf(store.read(boardView)).toEqualTypeOf<{ columns: Record<string, string[]>; count: number }>()
    const byColumn = defineQuery({ projection: boardView, select: (s, column: string) => s.columns[column] ?? [] })
    let column: string[] = []
    store.query(byColumn, 'todo').subscribe((ids) => (column = ids))
    store.query(boardView, (s) => s.count).subscribe((n) => expectTypeOf(n).toEqualTypeOf<number>())
    // @ts-expect-error wrong query params
    store.query(byColumn, 3)
    defineProjection({
      name: 'p',
      version: 1,
      events: [CardAdded],
      initial: { n: 0 },
      on: {
        CardAdded: (draft, e, envelope) => {
          expectTypeOf(envelope).toEqualTypeOf<EventEnvelope<'CardAdded', { cardId: string; column: string; title: string }>>()
          draft.n += e.title.length
        },
        // @ts-expect-error unknown event in a projection
        Nope: () => {},
      },
    })
    void column
  })
})
