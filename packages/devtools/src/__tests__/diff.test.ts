import { describe, expect, it } from 'vitest'
import { diffStates, formatPath } from '../diff'

describe('diffStates', () => {
  it('reports added, removed and changed paths', () => {
    const before = { columns: { todo: ['c1', 'c2'], doing: [] as string[] }, count: 2, owner: 'ann', gone: true }
    const after = { columns: { todo: ['c1'], doing: ['c2'] }, count: 2, owner: 'bob', extra: { deep: 1 } }
    expect(diffStates(before, after)).toEqual({
      complete: true,
      changes: [
        { path: ['columns', 'todo', 1], kind: 'removed', before: 'c2', after: undefined },
        { path: ['columns', 'doing', 0], kind: 'added', before: undefined, after: 'c2' },
        { path: ['owner'], kind: 'changed', before: 'ann', after: 'bob' },
        { path: ['gone'], kind: 'removed', before: true, after: undefined },
        { path: ['extra'], kind: 'added', before: undefined, after: { deep: 1 } },
      ],
    })
    expect(diffStates(before, before)).toEqual({ complete: true, changes: [] })
  })

  it('compares Maps, Sets and Dates by content, and a type change as one change', () => {
    expect(diffStates(new Map([['a', 1]]), new Map([['a', 2]])).changes).toEqual([{ path: ['a'], kind: 'changed', before: 1, after: 2 }])
    expect(diffStates(new Set([1, 2]), new Set([1, 3])).changes).toEqual([{ path: [1], kind: 'changed', before: 2, after: 3 }])
    expect(diffStates({ at: new Date(5) }, { at: new Date(5) }).changes).toEqual([])
    expect(diffStates({ v: [1] }, { v: { 0: 1 } }).changes).toEqual([{ path: ['v'], kind: 'changed', before: [1], after: { 0: 1 } }])
  })

  it('skips parts two states share (as immer states do) without looking inside them', () => {
    const cards: Record<string, { title: string }> = {}
    for (let i = 0; i < 20_000; i++) cards[`c${i}`] = { title: `t${i}` }
    const before = { cards, other: { big: Array.from({ length: 50_000 }, (_, i) => ({ i })) } }
    const after = { ...before, cards: { ...cards, c7: { title: 'renamed' } } }
    // 20,000 keys of `cards` are compared by reference, `other` not at all: within a tiny node budget.
    const diff = diffStates(before, after, { maxNodes: 10 })
    expect(diff).toEqual({ complete: true, changes: [{ path: ['cards', 'c7', 'title'], kind: 'changed', before: 't7', after: 'renamed' }] })
  })

  it('stops at its limits and says so', () => {
    const before = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]))
    const after = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, -i]))
    const byChanges = diffStates(before, after, { maxChanges: 10 })
    expect(byChanges.complete).toBe(false)
    expect(byChanges.changes).toHaveLength(10)
    const byNodes = diffStates(before, after, { maxNodes: 50 })
    expect(byNodes.complete).toBe(false)
    expect(byNodes.changes.length).toBeLessThan(50)
  })
})

describe('formatPath', () => {
  it('writes paths as code would', () => {
    expect(formatPath(['columns', 'todo', 1])).toBe('columns.todo[1]')
    expect(formatPath(['cards', 'card 7', 'title'])).toBe('cards["card 7"].title')
    expect(formatPath([])).toBe('(root)')
  })
})
