// Scenario 8's peer: the same minimal app with Replicache (15.3, which no longer needs a license
// key) and replicache-react. Cards as keys in Replicache's IndexedDB-backed store, written by a
// mutator and read with a subscription; no server (no push or pull URL), no undo.
import { createRoot } from 'react-dom/client'
import { Replicache, type WriteTransaction } from 'replicache'
import { useSubscribe } from 'replicache-react'

// A type, not an interface: Replicache stores JSON values, and only a type alias is assignable to one.
type Card = { id: string; title: string }

const rep = new Replicache({
  name: 'app',
  mutators: {
    async addCard(tx: WriteTransaction, card: Card) {
      if (await tx.has(`card/${card.id}`)) throw new Error('card exists')
      await tx.set(`card/${card.id}`, card)
    },
  },
})

function App() {
  const list = useSubscribe(rep, (tx) => tx.scan<Card>({ prefix: 'card/' }).values().toArray(), { default: [] })
  return (
    <>
      <button onClick={() => void rep.mutate.addCard({ id: crypto.randomUUID(), title: 'card' })}>add</button>
      <ul>{list.map((card) => <li key={card.id}>{card.title}</li>)}</ul>
    </>
  )
}

createRoot(document.body).render(<App />)
