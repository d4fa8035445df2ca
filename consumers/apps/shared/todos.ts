// The domain every consumer app uses (copied into each app's src/ by consumers/harness.ts): a
// to-do list, written as an app would write it against the published packages.
import * as v from 'valibot'
import { defineAggregate, defineCommand, defineEvent, defineProjection, RuleViolation } from '@chronicle/core'

export const TodoAdded = defineEvent('TodoAdded', v.object({ id: v.string(), title: v.string() }))

export const todoList = defineAggregate({
  name: 'todoList',
  events: [TodoAdded],
  initial: () => ({ titles: [] as string[] }),
  evolve: {
    TodoAdded: (draft, e) => {
      draft.titles.push(e.title)
    },
  },
})

export const addTodo = defineCommand({
  type: 'addTodo',
  schema: v.object({ id: v.string(), title: v.pipe(v.string(), v.trim(), v.minLength(1, 'Write a title first')) }),
  aggregate: todoList,
  stream: () => 'todos',
  handle: (state, command) => {
    if (state.titles.includes(command.title)) throw new RuleViolation('duplicate', `"${command.title}" is already on the list`)
    return [TodoAdded({ id: command.id, title: command.title })]
  },
})

export const todos = defineProjection({
  name: 'todos',
  version: 1,
  events: [TodoAdded],
  initial: { items: [] as { id: string; title: string }[] },
  on: {
    TodoAdded: (draft, e) => {
      draft.items.push({ id: e.id, title: e.title })
    },
  },
})
