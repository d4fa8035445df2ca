import { describe, expect, it } from 'vitest'
import { given } from '../testing'
import { addCard, CardAdded, CardMoved, moveCard } from './fixtures'

describe('given / when', () => {
  it('returns the events a command decides on the given history', async () => {
    const outcome = await given(CardAdded({ cardId: 'c1', column: 'todo', title: 'a' })).when(moveCard, { boardId: 'b', cardId: 'c1', to: 'doing' })
    outcome.expectEvents([CardMoved({ cardId: 'c1', from: 'todo', to: 'doing' })])
    expect(outcome.error).toBeUndefined()
    expect(() => outcome.expectError('RuleViolation')).toThrow(/succeeded/)
  })

  it('reports rule violations, validation errors and handler bugs as typed errors', async () => {
    const existing = await given(CardAdded({ cardId: 'c1', column: 'todo', title: 'a' })).when(addCard, { boardId: 'b', cardId: 'c1', title: 'b' })
    existing.expectError('RuleViolation', 'card-exists')
    expect(() => existing.expectError('RuleViolation', 'other-code')).toThrow(/card-exists/)
    expect(() => existing.expectEvents([])).toThrow(/failed with RuleViolation/)

    const invalid = await given().when(addCard, { boardId: 'b', cardId: 3 as unknown as string, title: 'x' })
    invalid.expectError('ValidationError', 'invalid-command')

    const wip = await given(
      ...['a', 'b', 'c', 'd'].map((id) => CardAdded({ cardId: id, column: 'doing', title: id })),
      CardAdded({ cardId: 'e', column: 'todo', title: 'e' }),
    ).when(moveCard, { boardId: 'b', cardId: 'e', to: 'doing' })
    wip.expectError('RuleViolation', 'wip-limit')
  })

  it('fails loudly when the decided events differ', async () => {
    const outcome = await given().when(addCard, { boardId: 'b', cardId: 'c1', title: 'a' })
    expect(() => outcome.expectEvents([CardAdded({ cardId: 'c1', column: 'done', title: 'a' })])).toThrow(/decided other events/)
  })
})
