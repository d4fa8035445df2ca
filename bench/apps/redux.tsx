// Scenario 8's comparison: the same minimal app with Redux Toolkit and react-redux.
import { createRoot } from 'react-dom/client'
import { configureStore, createSlice, type PayloadAction } from '@reduxjs/toolkit'
import { Provider, useDispatch, useSelector } from 'react-redux'

const cards = createSlice({
  name: 'cards',
  initialState: [] as { id: string; title: string }[],
  reducers: {
    cardAdded(state, action: PayloadAction<{ id: string; title: string }>) {
      if (!state.some((card) => card.id === action.payload.id)) state.push(action.payload)
    },
  },
})
const store = configureStore({ reducer: { cards: cards.reducer } })
type State = ReturnType<typeof store.getState>

function App() {
  const list = useSelector((state: State) => state.cards)
  const dispatch = useDispatch()
  return (
    <>
      <button onClick={() => dispatch(cards.actions.cardAdded({ id: crypto.randomUUID(), title: 'card' }))}>add</button>
      <ul>{list.map((card) => <li key={card.id}>{card.title}</li>)}</ul>
    </>
  )
}

createRoot(document.body).render(
  <Provider store={store}>
    <App />
  </Provider>,
)
