import { StrictMode, useState, type FormEvent } from 'react'
import { createRoot } from 'react-dom/client'
import { createStore } from '@chronicle/core'
import { ChronicleProvider, useCommand, useProjection } from '@chronicle/react'
import { addCard, cardList } from './domain'

// A first, local-only board; the full offline-first Kanban demo grows from here.
const store = createStore({ name: 'demo', commands: [addCard], projections: [cardList] })

function Board() {
  const cards = useProjection(cardList, (s) => s.cards)
  const add = useCommand(addCard)
  const [title, setTitle] = useState('')
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (await add.dispatch({ cardId: crypto.randomUUID(), title })) setTitle('')
  }
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 480, margin: '2rem auto' }}>
      <h1>Chronicle Kanban</h1>
      <form onSubmit={submit}>
        <label>
          New card <input value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>{' '}
        <button type="submit" disabled={add.status === 'pending'}>
          Add
        </button>
      </form>
      {add.error && <p role="alert">{add.error.message}</p>}
      <ul aria-label="Cards">
        {cards.map((card) => (
          <li key={card.id}>{card.title}</li>
        ))}
      </ul>
    </main>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ChronicleProvider store={store}>
      <Board />
    </ChronicleProvider>
  </StrictMode>,
)
