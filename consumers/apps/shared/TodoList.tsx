// The to-do list component every React consumer app renders (copied into each app's source by
// consumers/harness.ts): a form that shows the command's errors, and the list from a projection.
import { useState } from 'react'
import { isChronicleError } from '@chronicle/core'
import { useCommand, useIsReady, useProjection } from '@chronicle/react'
import { addTodo, todos } from './todos'

export function TodoList() {
  const items = useProjection(todos, (state) => state.items)
  const ready = useIsReady()
  const add = useCommand(addTodo)
  const [title, setTitle] = useState('')
  const problem = add.status === 'error' ? (isChronicleError(add.error, 'ValidationError') ? add.error.issues.map((issue) => issue.message).join('; ') : add.error.message) : undefined

  return (
    <main data-ready={ready}>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          void add.dispatch({ id: crypto.randomUUID(), title }).then((receipt) => receipt && setTitle(''))
        }}
      >
        <input aria-label="Title" value={title} onChange={(event) => setTitle(event.target.value)} />
        <button type="submit">Add</button>
      </form>
      {problem && <p role="alert">{problem}</p>}
      {items.length === 0 && <p>Nothing to do yet.</p>}
      <ul>
        {items.map((item) => (
          <li key={item.id}>{item.title}</li>
        ))}
      </ul>
    </main>
  )
}
