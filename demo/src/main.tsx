import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { seedDemoBoard } from './domain'
import { registerServiceWorker } from './sw/register'
import { App } from './ui/App'
import { HistoryControls } from './ui/history/HistoryControls'
import { createDemoStore } from './ui/store'
import './ui/styles/index.css'

const store = createDemoStore()
// First start: fill the board through ordinary commands, so there is something to play with.
const seeding = seedDemoBoard(store).catch((error: unknown) => console.error('Chronicle Kanban: seeding the demo board failed', error))
registerServiceWorker()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App store={store} starting={seeding} slots={{ history: <HistoryControls /> }} />
  </StrictMode>,
)
