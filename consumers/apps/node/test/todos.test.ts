// A domain tested with given()/when(), the way an app's own test suite would (Vitest).
import { describe, expect, it } from 'vitest'
import { given } from '@chronicle/core/testing'
import { addTodo, TodoAdded } from '../src/todos.js'

describe('addTodo', () => {
  it('adds a to-do with a trimmed title', async () => {
    const outcome = await given().when(addTodo, { id: 't1', title: '  Buy milk ' })
    outcome.expectEvents([TodoAdded({ id: 't1', title: 'Buy milk' })])
  })

  it('refuses a title already on the list', async () => {
    const outcome = await given(TodoAdded({ id: 't1', title: 'Buy milk' })).when(addTodo, { id: 't2', title: 'Buy milk' })
    outcome.expectError('RuleViolation', 'duplicate')
  })

  it('refuses an empty title with the schema message', async () => {
    const outcome = await given().when(addTodo, { id: 't3', title: '  ' })
    outcome.expectError('ValidationError')
    expect(outcome.error?.message).toContain('Write a title first')
  })

  it('fails when the expectation is wrong (the helpers can fail)', async () => {
    const outcome = await given().when(addTodo, { id: 't4', title: 'Walk' })
    expect(() => outcome.expectEvents([TodoAdded({ id: 't4', title: 'Run' })])).toThrow(/decided other events/)
    expect(() => outcome.expectError('RuleViolation')).toThrow(/succeeded/)
  })
})
