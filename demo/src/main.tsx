import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { seedDemoBoard } from './domain'
import { registerServiceWorker } from './sw/register'
import { App } from './ui/App'
import { DevtoolsButton } from './ui/devtools/DevtoolsButton'
import { HistoryControls } from './ui/history/HistoryControls'
import { SyncStatus } from './ui/sync/SyncStatus'
import { createDemoStore } from './ui/store'
import './ui/styles/index.css'

const store = createDemoStore()
// Synced, the board comes from the server (which seeds it). Local-only (the Vite dev server), the
// first start fills the board through ordinary commands, so there is something to play with.
const seeding = store.sync ? undefined : seedDemoBoard(store).catch((error: unknown) => console.error('Chronicle Kanban: seeding the demo board failed', error))
registerServiceWorker()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App store={store} slots={{ history: <HistoryControls />, syncStatus: <SyncStatus />, devtools: <DevtoolsButton /> }} {...(seeding ? { starting: seeding } : {})} />
  </StrictMode>,
)
