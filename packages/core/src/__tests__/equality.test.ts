import { describe, expect, it } from 'vitest'
import { createStore, memoryStorage, shallow } from '../index'
import { addCard, boardView, commands, moveCard } from './fixtures'

describe('shallow', () => {
  it('is true for the same value, NaN included, and false for different primitives', () => {
    const o = { a: 1 }
    expect(shallow(o, o)).toBe(true)
    expect(shallow(1, 1)).toBe(true)
    expect(shallow('a', 'a')).toBe(true)
    expect(shallow(Number.NaN, Number.NaN)).toBe(true)
    expect(shallow(null, null)).toBe(true)
    expect(shallow(1, 2)).toBe(false)
    expect(shallow(0, -0)).toBe(false)
    expect(shallow<unknown>(null, {})).toBe(false)
    expect(shallow<unknown>({}, null)).toBe(false)
    expect(shallow<unknown>(undefined, {})).toBe(false)
  })

  it('compares arrays item by item, in order, by identity', () => {
    const item = { id: 1 }
    expect(shallow([1, 'a', item], [1, 'a', item])).toBe(true)
    expect(shallow([], [])).toBe(true)
    expect(shallow([1, 2], [2, 1])).toBe(false)
    expect(shallow([1, 2], [1, 2, 3])).toBe(false)
    expect(shallow([{ id: 1 }], [{ id: 1 }])).toBe(false)
    expect(shallow<unknown>([1], { 0: 1 })).toBe(false)
    expect(shallow<unknown>({ 0: 1, length: 1 }, [1])).toBe(false)
  })

  it('compares plain objects by their own keys and values', () => {
    const todo = ['c1']
    expect(shallow({ count: 1, todo }, { todo, count: 1 })).toBe(true)
    expect(shallow({ a: undefined }, { b: undefined })).toBe(false)
    expect(shallow({ a: 1 }, { a: 1, b: 2 })).toBe(false)
    expect(shallow({ a: 1, b: 2 }, { a: 1 })).toBe(false)
    expect(shallow({ todo: ['c1'] }, { todo: ['c1'] })).toBe(false)
    expect(shallow(Object.assign(Object.create(null) as object, { a: 1 }), { a: 1 })).toBe(true)
  })

  it('compares Maps by entries and Sets by members', () => {
    const card = { title: 't' }
    expect(shallow(new Map([['c1', card]]), new Map([['c1', card]]))).toBe(true)
    expect(shallow(new Map([['c1', card]]), new Map([['c1', { title: 't' }]]))).toBe(false)
    expect(shallow(new Map([['c1', 1]]), new Map([['c2', 1]]))).toBe(false)
    expect(shallow(new Map([['c1', undefined]]), new Map([['c2', undefined]]))).toBe(false)
    expect(shallow(new Map([['c1', 1]]), new Map([['c1', 1], ['c2', 2]]))).toBe(false)
    expect(shallow(new Set([1, 2]), new Set([2, 1]))).toBe(true)
    expect(shallow(new Set([1, 2]), new Set([1, 3]))).toBe(false)
    expect(shallow(new Set([1]), new Set([1, 2]))).toBe(false)
    expect(shallow<unknown>(new Set([1]), new Map([[1, 1]]))).toBe(false)
    expect(shallow<unknown>(new Map(), {})).toBe(false)
  })

  it('treats other objects as equal only to themselves', () => {
    expect(shallow(new Date(5), new Date(5))).toBe(false)
    class Point {
      constructor(readonly x: number) {}
    }
    expect(shallow(new Point(1), new Point(1))).toBe(false)
    expect(shallow<unknown>(new Point(1), { x: 1 })).toBe(false)
  })

  it('keeps a store query quiet while a built selection has the same items', async () => {
    const store = createStore({ name: 'kanban', commands, projections: [boardView], storage: memoryStorage() })
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    const seen: string[][] = []
    const subscription = store.query(boardView, (s) => Object.keys(s.columns).sort(), shallow).subscribe((names) => seen.push(names))
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' }))
    await store.dispatch(moveCard({ boardId: 'b', cardId: 'c2', to: 'done' }))
    subscription.unsubscribe()
    await store.close()
    expect(seen).toEqual([['todo'], ['done', 'todo']])
  })
})
