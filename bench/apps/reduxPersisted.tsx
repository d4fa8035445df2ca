// Scenario 8's baseline: the same minimal app with what a Redux team adds to get what Chronicle does
// by default. Redux Toolkit and react-redux, redux-persist saving the state in IndexedDB (through
// idb-keyval) so it survives a reload, redux-state-sync sharing the actions between tabs, and
// redux-undo around the cards for undo and redo.
import { createRoot } from 'react-dom/client'
import { combineReducers, configureStore, createSlice, type Middleware, type PayloadAction } from '@reduxjs/toolkit'
import { del, get, set } from 'idb-keyval'
import { Provider, useDispatch, useSelector } from 'react-redux'
import { FLUSH, PAUSE, PERSIST, persistReducer, persistStore, PURGE, REGISTER, REHYDRATE, type Storage } from 'redux-persist'
import { PersistGate } from 'redux-persist/integration/react'
import { createStateSyncMiddleware, initMessageListener } from 'redux-state-sync'
import undoable, { ActionCreators } from 'redux-undo'

// redux-persist's storage, in IndexedDB: idb-keyval's one object store.
const storage: Storage = {
  getItem: (key: string) => get(key),
  setItem: (key: string, value: unknown) => set(key, value),
  removeItem: (key: string) => del(key),
}

const cards = createSlice({
  name: 'cards',
  initialState: [] as { id: string; title: string }[],
  reducers: {
    cardAdded(state, action: PayloadAction<{ id: string; title: string }>) {
      if (!state.some((card) => card.id === action.payload.id)) state.push(action.payload)
    },
  },
})

const persistActions = [FLUSH, REHYDRATE, PAUSE, PERSIST, PURGE, REGISTER]
const reducer = persistReducer({ key: 'app', storage }, combineReducers({ cards: undoable(cards.reducer) }))
const store = configureStore({
  reducer,
  middleware: (getDefault) =>
    getDefault({ serializableCheck: { ignoredActions: persistActions } }).concat(
      // Every tab persists on its own; only the app's actions (and undo/redo) go to the other tabs.
      // (@types/redux-state-sync is typed against redux 4, Redux Toolkit 2 uses redux 5.)
      createStateSyncMiddleware({ blacklist: persistActions }) as Middleware,
    ),
})
initMessageListener(store)
const persistor = persistStore(store)
type State = ReturnType<typeof store.getState>

function App() {
  const { past, present, future } = useSelector((state: State) => state.cards)
  const dispatch = useDispatch()
  return (
    <>
      <button onClick={() => dispatch(cards.actions.cardAdded({ id: crypto.randomUUID(), title: 'card' }))}>add</button>
      <button disabled={past.length === 0} onClick={() => dispatch(ActionCreators.undo())}>undo</button>
      <button disabled={future.length === 0} onClick={() => dispatch(ActionCreators.redo())}>redo</button>
      <ul>{present.map((card) => <li key={card.id}>{card.title}</li>)}</ul>
    </>
  )
}

createRoot(document.body).render(
  <Provider store={store}>
    <PersistGate loading={null} persistor={persistor}>
      <App />
    </PersistGate>
  </Provider>,
)
