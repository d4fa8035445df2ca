// A server component: it runs on the server for every request (no IndexedDB there). It uses the
// domain directly, to check an input the way the browser's store will, and renders the client
// component that owns the store.
import { given } from '@chronicle/core/testing'
import { addTodo } from './todos'
import { TodoApp } from './TodoApp'

export const dynamic = 'force-dynamic'

export default async function Page() {
  const outcome = await given().when(addTodo, { id: 'server-check', title: '   ' })
  return (
    <>
      <h1>To do</h1>
      <p data-testid="server-check">Checked on the server: {outcome.error?.name ?? 'accepted'}</p>
      <TodoApp />
    </>
  )
}
