// Scenario 8: a minimal app that uses what a Chronicle app needs (an event, an aggregate, a command,
// a projection, the store, the provider and both hooks). The runner bundles it the way an app
// bundler would and measures the gzip size.
import { createRoot } from 'react-dom/client'
import { createStore, defineAggregate, defineCommand, defineEvent, defineProjection, RuleViolation, type StandardSchemaV1 } from '@chronicle/core'
import { ChronicleProvider, useCommand, useProjection } from '@chronicle/react'

// A pass-through Standard Schema: the app's validator library is its own choice, not Chronicle's weight.
const accept = <T,>(): StandardSchemaV1<T> => ({ '~standard': { version: 1, vendor: 'bench', validate: (value) => ({ value: value as T }) } })

const CardAdded = defineEvent('CardAdded', accept<{ id: string; title: string }>())
const board = defineAggregate({
  name: 'board',
  events: [CardAdded],
  initial: () => ({ ids: {} as Record<string, true> }),
  evolve: { CardAdded: (draft, e) => void (draft.ids[e.id] = true) },
})
const addCard = defineCommand({
  type: 'addCard',
  schema: accept<{ id: string; title: string }>(),
  aggregate: board,
  stream: () => 'board',
  handle: (state, cmd) => {
    if (state.ids[cmd.id]) throw new RuleViolation('card-exists', 'exists')
    return CardAdded(cmd)
  },
})
const cards = defineProjection({
  name: 'cards',
  version: 1,
  events: [CardAdded],
  initial: [] as { id: string; title: string }[],
  on: { CardAdded: (draft, e) => void draft.push(e) },
})

function App() {
  const list = useProjection(cards)
  const add = useCommand(addCard)
  return (
    <>
      <button onClick={() => void add.dispatch({ id: crypto.randomUUID(), title: 'card' })}>add</button>
      <ul>{list.map((card) => <li key={card.id}>{card.title}</li>)}</ul>
    </>
  )
}

const store = createStore({ name: 'app', commands: [addCard], projections: [cards] })
createRoot(document.body).render(
  <ChronicleProvider store={store}>
    <App />
  </ChronicleProvider>,
)
