import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createStore } from '@chronicle/core'
import { ChronicleProvider } from '@chronicle/react'
import { addTodo, todos } from './todos'
import { TodoList } from './TodoList'

// One store for the page, created before React renders; its log is IndexedDB `chronicle:todos`.
const store = createStore({ name: 'todos', commands: [addTodo], projections: [todos] })

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ChronicleProvider store={store}>
      <h1>To do</h1>
      <TodoList />
    </ChronicleProvider>
  </StrictMode>,
)
