'use client'
// The client side: the store is made once per page in a useState initialiser. During the server
// render (SSR of this client component) it is a memory store that renders the initial state; in
// the browser it is the IndexedDB log, which then loads.
import { useState } from 'react'
import { createStore, indexedDbStorage, memoryStorage } from '@chronicle/core'
import { ChronicleProvider } from '@chronicle/react'
import { addTodo, todos } from './todos'
import { TodoList } from './TodoList'

export function TodoApp() {
  const [store] = useState(() =>
    createStore({ name: 'todos', commands: [addTodo], projections: [todos], storage: typeof window === 'undefined' ? memoryStorage() : indexedDbStorage() }),
  )
  return (
    <ChronicleProvider store={store}>
      <TodoList />
    </ChronicleProvider>
  )
}
