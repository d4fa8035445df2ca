import { describe, expect, it } from 'vitest'
import type { EventEnvelope } from '@chronicle/core'
import { causationTree, type CausationNode } from '../causation'
import { addCards, lastEventIs, moveCard, openStore } from './fixtures'

const shape = (nodes: readonly CausationNode[]): unknown[] => nodes.map((n) => ({ types: n.events.map((e) => e.type), children: shape(n.children) }))

describe('causationTree', () => {
  it('hangs a reaction under the event that triggered it and an undo under the command it undoes', async () => {
    const store = openStore()
    await addCards(store, 1, 1)
    const move = await store.dispatch(moveCard({ boardId: 'b0', cardId: 'c0', to: 'done' }))
    await lastEventIs(store, 'CardArchived')
    await store.history.undo()
    const log = await store.log()
    const chain = log.filter((e) => e.meta.correlationId === move.commandId)
    expect(chain.map((e) => e.type)).toEqual(['CardMoved', 'CardArchived', 'Undone'])
    const roots = causationTree(chain)
    expect(shape(roots)).toEqual([{ types: ['CardMoved'], children: [{ types: ['CardArchived'], children: [] }, { types: ['Undone'], children: [] }] }])
    expect(roots[0]!.children[0]!.causationId).toBe(chain[0]!.id)
  })

  it('makes a command whose cause is not in the list a root, and survives a cycle', () => {
    const event = (id: string, commandId: string, causationId: string): EventEnvelope => ({
      id,
      seq: Number(id.slice(1)),
      stream: 's',
      version: 1,
      type: 'T',
      schemaVersion: 1,
      payload: null,
      meta: { commandId, causationId, correlationId: 'x', at: 0, origin: 'o' },
    })
    const roots = causationTree([event('e1', 'a', 'elsewhere'), event('e2', 'b', 'e3'), event('e3', 'c', 'e2')])
    expect(roots.map((r) => r.commandId)).toEqual(['a', 'c'])
    expect(roots[1]!.children.map((c) => c.commandId)).toEqual(['b'])
  })
})
