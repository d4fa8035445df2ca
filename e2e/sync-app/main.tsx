// The sync e2e test page: one "device" (a store over IndexedDB, synced with the server named in
// `?server=`) showing its board, its sync status (useSyncStatus) and the commands the server
// refused (useSyncRejections), with a test API on `window.syncTest` for the Playwright specs.
import { useState } from 'react'
import { createRoot } from 'react-dom/client'
import { createStore, isChronicleError } from '@chronicle/core'
import { ChronicleProvider, useProjection, useSyncRejections, useSyncStatus } from '@chronicle/react'
import { createSync } from '@chronicle/sync'
import { addCard, boardView, commands, moveCard } from '../../packages/core/src/__tests__/fixtures'
import { kanbanTokens } from '../../packages/server/src/__tests__/kanban'
import type { SyncTestApi } from './api'

const params = new URLSearchParams(location.search)
const store = createStore({
  name: params.get('device') ?? 'sync-e2e',
  commands,
  projections: [boardView],
  sync: createSync({ url: params.get('server') ?? '', auth: kanbanTokens.ann, retry: { initialDelay: 50, maxDelay: 500 }, live: { pollInterval: 200, reconnectDelay: 100, maxReconnectDelay: 500 } }),
})

/** Dispatches; answers the commandId, or the error code when the device itself refused it. */
const run = async (dispatching: Promise<{ commandId: string }>) => {
  try {
    return { commandId: (await dispatching).commandId }
  } catch (error) {
    return { refused: isChronicleError(error) ? error.code : String(error) }
  }
}

const api: SyncTestApi = {
  add: (boardId, cardId) => run(store.dispatch(addCard({ boardId, cardId, title: cardId }))),
  move: (boardId, cardId, to) => run(store.dispatch(moveCard({ boardId, cardId, to }))),
  columns: () => store.read(boardView).columns,
  status: () => {
    const { online, pending, confirmedPosition, lastError } = store.sync!.status
    return { online, pending, confirmedPosition, lastError: lastError ?? null }
  },
  outcome: (commandId) => store.sync!.confirmation(commandId).then(() => 'confirmed', (error: unknown) => (isChronicleError(error) ? error.code : String(error))),
  log: async () => (await store.log()).map((event) => event.id),
}
Object.assign(window, { syncTest: api })

function Status() {
  const status = useSyncStatus()
  if (!status) return null
  return <p data-testid="status">{`${status.online ? 'online' : 'offline'}, ${status.pending} pending`}</p>
}

function Rejections() {
  const [shown, setShown] = useState<string[]>([])
  useSyncRejections((rejection) => setShown((list) => [...list, `${rejection.type} ${JSON.stringify(rejection.payload)} refused: ${rejection.error.code}`]))
  return (
    <ul data-testid="rejections">
      {shown.map((text) => (
        <li key={text}>{text}</li>
      ))}
    </ul>
  )
}

function Board() {
  const columns = useProjection(boardView, (s) => s.columns)
  return (
    <dl data-testid="board">
      {Object.entries(columns).map(([column, ids]) => (
        <div key={column}>
          <dt>{column}</dt>
          <dd data-testid={`column-${column}`}>{ids.join(' ')}</dd>
        </div>
      ))}
    </dl>
  )
}

createRoot(document.getElementById('root')!).render(
  <ChronicleProvider store={store}>
    <Status />
    <Board />
    <Rejections />
  </ChronicleProvider>,
)
