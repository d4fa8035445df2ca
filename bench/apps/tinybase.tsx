// Scenario 8's peer: the same minimal app with TinyBase. A store with a table of cards, saved to
// and loaded from IndexedDB by its persister (which also polls for other tabs' writes), read with
// TinyBase's React hooks; no undo (TinyBase has checkpoints for that, not used here).
import { createRoot } from 'react-dom/client'
import { createStore } from 'tinybase/store'
import { createIndexedDbPersister } from 'tinybase/persisters/persister-indexed-db'
import { Provider, useStore, useTable } from 'tinybase/ui-react'

const store = createStore()
void createIndexedDbPersister(store, 'app').startAutoPersisting()

function App() {
  const cards = useTable('cards')
  const store = useStore()!
  const add = (id: string, title: string) => {
    if (!store.hasRow('cards', id)) store.setRow('cards', id, { title })
  }
  return (
    <>
      <button onClick={() => add(crypto.randomUUID(), 'card')}>add</button>
      <ul>{Object.entries(cards).map(([id, card]) => <li key={id}>{String(card['title'])}</li>)}</ul>
    </>
  )
}

createRoot(document.body).render(
  <Provider store={store}>
    <App />
  </Provider>,
)
