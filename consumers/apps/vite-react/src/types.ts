// Types a user relies on, pinned: each @ts-expect-error line must stay an error under every
// tsconfig here, so the published types cannot quietly turn into `any`.
import { createStore, defineProjection, memoryStorage, type Receipt, type StateOf } from '@chronicle/core'
import { given } from '@chronicle/core/testing'
import { useCommand, useProjection } from '@chronicle/react'
import { addTodo, TodoAdded, todoList, todos } from './todos.js'

const state: StateOf<typeof todoList> = { titles: ['a'] }
export const firstTitle: string | undefined = state.titles[0]

// @ts-expect-error: a payload field of the wrong type
TodoAdded({ id: 'a', title: 42 })
// @ts-expect-error: a command without its title
addTodo({ id: 'a' })

defineProjection({
  name: 'titles',
  version: 1,
  events: [TodoAdded],
  initial: { count: 0 },
  on: {
    TodoAdded: (draft, e) => {
      draft.count += e.title.length
      // @ts-expect-error: the event has no such field
      draft.count += e.missing
      // @ts-expect-error: the draft's field is a number
      draft.count = 'many'
    },
  },
})

export async function check(): Promise<Receipt> {
  const store = createStore({ name: 'types', commands: [addTodo], projections: [todos], storage: memoryStorage() })
  // @ts-expect-error: the projection's state has no such field
  store.query(todos, (s) => s.missing)
  await given(TodoAdded({ id: 'a', title: 'x' })).when(addTodo, { id: 'b', title: 'y' })
  // @ts-expect-error: given().when() checks the payload too
  await given().when(addTodo, { id: 'b', title: 3 })
  return store.dispatch(addTodo({ id: 'c', title: 'z' }))
}

export function useTypedHooks(): number {
  const count = useProjection(todos, (s) => s.items.length)
  const add = useCommand(addTodo)
  // @ts-expect-error: the hook's dispatch wants the command's payload
  void add.dispatch({ id: 'x' })
  // @ts-expect-error: a selected number is not a string
  const wrong: string = useProjection(todos, (s) => s.items.length)
  return count + wrong.length
}
