// Scenario 8's peer: the same minimal app with Dexie and dexie-react-hooks. A table of cards in
// IndexedDB, read with a live query (which also sees other tabs' writes); no undo.
import { createRoot } from 'react-dom/client'
import Dexie, { type EntityTable } from 'dexie'
import { useLiveQuery } from 'dexie-react-hooks'

interface Card {
  id: string
  title: string
}

const db = new Dexie('app') as Dexie & { cards: EntityTable<Card, 'id'> }
db.version(1).stores({ cards: 'id' })

// `add` refuses a card whose id the table holds already (a ConstraintError): the duplicate check.
const addCard = (card: Card) => db.cards.add(card)

function App() {
  const list = useLiveQuery(() => db.cards.toArray(), [], [])
  return (
    <>
      <button onClick={() => void addCard({ id: crypto.randomUUID(), title: 'card' })}>add</button>
      <ul>{list.map((card) => <li key={card.id}>{card.title}</li>)}</ul>
    </>
  )
}

createRoot(document.body).render(<App />)
