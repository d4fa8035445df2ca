import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import { act, screen } from '@testing-library/react'
import { createStore, memoryStorage, type Store, type SyncRejection } from '@chronicle/core'
import { useSyncRejections, useSyncStatus } from '../index'
import { addCard, boardView, commands } from '../../../core/src/__tests__/fixtures'
import { loopbackServer } from '../../../core/src/__tests__/loopback'
import { guardConsole, modes, openStore, renderWith } from './harness'

/** Two stores syncing through core's in-process server; `round()` syncs one of them once. */
function devices() {
  const { client } = loopbackServer(commands)
  const stores: Store[] = []
  const open = () => {
    const link = client()
    const store = createStore({ name: 'kanban', commands, projections: [boardView], storage: memoryStorage(), sync: link })
    stores.push(store)
    return { store, round: () => act(() => link.round()) }
  }
  /** Two devices that both added card "same": the server will take a's and refuse b's. */
  const conflicting = async () => {
    const a = open()
    const b = open()
    await a.store.dispatch(addCard({ boardId: 'b', cardId: 'same', title: 'from a' }))
    await b.store.dispatch(addCard({ boardId: 'b', cardId: 'same', title: 'from b' }))
    return { a, b }
  }
  return { open, conflicting, close: () => Promise.all(stores.map((s) => s.close())) }
}

function Status() {
  const status = useSyncStatus()
  return <p data-testid="status">{status ? `${status.online ? 'online' : 'offline'}, ${status.pending} pending, at ${status.confirmedPosition}` : 'no sync'}</p>
}

describe.each(modes)('sync hooks ($mode)', ({ Mode }) => {
  guardConsole()

  it('useSyncStatus shows pending commands and the confirmed position as they change', async () => {
    const { open, close } = devices()
    try {
      const { store, round } = open()
      await store.ready
      renderWith(Mode, store, <Status />)
      expect(screen.getByTestId('status').textContent).toBe('online, 0 pending, at 0')
      await act(() => store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' })))
      await act(() => store.dispatch(addCard({ boardId: 'b', cardId: 'c2', title: 'two' })))
      expect(screen.getByTestId('status').textContent).toBe('online, 2 pending, at 0')
      await round()
      expect(screen.getByTestId('status').textContent).toBe('online, 0 pending, at 2')
    } finally {
      await close()
    }
  })

  it('useSyncStatus is undefined for a store without sync', async () => {
    const store = openStore()
    renderWith(Mode, store, <Status />)
    expect(screen.getByTestId('status').textContent).toBe('no sync')
  })

  it('useSyncRejections reports each rejection once, to the latest callback, on the device that made it', async () => {
    const { conflicting, close } = devices()
    try {
      const { a, b } = await conflicting()
      const heard: [string, SyncRejection][] = []
      function Rejections({ name }: { name: string }) {
        const [shown, setShown] = useState<string[]>([])
        // A new callback every render: the hook must call the latest, and subscribe once.
        useSyncRejections((rejection) => {
          heard.push([name, rejection])
          setShown((list) => [...list, `${rejection.type}: ${rejection.error.code}`])
        })
        return <ul data-testid={name}>{shown.map((text) => <li key={text}>{text}</li>)}</ul>
      }
      renderWith(Mode, a.store, <Rejections name="a" />)
      renderWith(Mode, b.store, <Rejections name="b" />)
      await a.round()
      await b.round()
      await a.round()
      expect(heard.map(([name, r]) => [name, r.type, r.error.reason.name])).toEqual([['b', 'addCard', 'RuleViolation']])
      expect(screen.getByTestId('b').textContent).toBe('addCard: card-exists')
      expect(screen.getByTestId('a').textContent).toBe('')
      expect(b.store.read(boardView).count).toBe(1)
    } finally {
      await close()
    }
  })

  it('useSyncRejections stops listening when the component unmounts', async () => {
    const { conflicting, close } = devices()
    try {
      const { a, b } = await conflicting()
      const heard: SyncRejection[] = []
      function Listener() {
        useSyncRejections((rejection) => heard.push(rejection))
        return null
      }
      const view = renderWith(Mode, b.store, <Listener />)
      view.unmount()
      await a.round()
      await b.round()
      expect(heard).toEqual([])
      expect(b.store.sync?.status.pending).toBe(0)
    } finally {
      await close()
    }
  })
})
