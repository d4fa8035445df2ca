import { describe, expect, it } from 'vitest'
import { createStore, memoryStorage, type Store } from '../index'
import { addCard, boardView, commands } from './fixtures'

describe('the store object', () => {
  it('its methods work unbound and on an object made from it, as on a plain object', async () => {
    const store = createStore({ name: 'plain', commands, projections: [boardView], storage: memoryStorage() })
    const { dispatch, read, settled, travel, log } = store
    const receipt = await dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await settled(receipt.position)
    expect(read(boardView).columns.todo).toEqual(['c1'])
    expect(await log()).toHaveLength(1)
    await travel(0)
    expect(store.travelling).toBe(0)
    await travel(null)

    const derived: Store = Object.create(store)
    await derived.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    expect(derived.position).toBe(2)
    expect(derived.read(boardView).columns.todo).toEqual(['c1', 'c2'])
    await store.close()
  })
})
