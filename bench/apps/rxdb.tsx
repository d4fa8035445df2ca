// Scenario 8's peer: the same minimal app with RxDB on its Dexie (IndexedDB) storage. One
// collection of cards, read with RxDB's React plugin (a live query, so other tabs' writes show up
// too); no undo.
import { createRoot } from 'react-dom/client'
import { createRxDatabase, type RxCollection, type RxJsonSchema } from 'rxdb/plugins/core'
import { RxDatabaseProvider, useLiveRxQuery, useRxCollection } from 'rxdb/plugins/react'
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie'

interface Card {
  id: string
  title: string
}

const cardSchema: RxJsonSchema<Card> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: { id: { type: 'string', maxLength: 100 }, title: { type: 'string' } },
  required: ['id', 'title'],
}

const db = await createRxDatabase<{ cards: RxCollection<Card> }>({ name: 'app', storage: getRxStorageDexie() })
await db.addCollections({ cards: { schema: cardSchema } })

function App() {
  const collection = useRxCollection<Card>('cards')
  const { results } = useLiveRxQuery<Card>({ collection: 'cards', query: {} })
  return (
    <>
      {/* `insert` refuses a card whose id the collection holds already (a conflict): the duplicate check. */}
      <button onClick={() => void collection?.insert({ id: crypto.randomUUID(), title: 'card' })}>add</button>
      <ul>{results.map((card) => <li key={card.id}>{card.title}</li>)}</ul>
    </>
  )
}

createRoot(document.body).render(
  <RxDatabaseProvider database={db}>
    <App />
  </RxDatabaseProvider>,
)
