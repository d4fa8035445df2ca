import { describe, expect, it } from 'vitest'
import { createStore, indexedDbStorage } from '../index'
import { addCard, boardView, commands, moveCard } from './fixtures'
import { loopbackServer } from './loopback'

describe('sync outbox in IndexedDB (real Chromium)', () => {
  it('keeps pending commands across a reload, then stores what the server confirmed', async () => {
    const { server, client } = loopbackServer(commands)
    const name = `sync-${Date.now()}`
    const first = createStore({ name, commands, projections: [boardView], storage: indexedDbStorage(), sync: client() })
    await first.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await first.dispatch(moveCard({ boardId: 'b', cardId: 'c1', to: 'doing' }))
    await first.close()

    const link = client()
    const second = createStore({ name, commands, projections: [boardView], storage: indexedDbStorage(), sync: link })
    await second.ready
    // Only the leading tab connects; leadership (Web Locks) settles just after ready.
    await expect.poll(() => second.sync?.status.connected).toBe(true)
    expect(second.read(boardView).columns).toEqual({ todo: [], doing: ['c1'] })
    expect(second.sync?.status.pending).toBe(2)
    await link.round()
    expect(server.position).toBe(2)
    expect(second.sync?.status).toMatchObject({ pending: 0, confirmedPosition: 2 })
    const log = await indexedDbStorage().open(name)
    expect((await log.readLog(0)).map((e) => e.type)).toEqual(['CardAdded', 'CardMoved'])
    expect(await log.outbox!.readPending()).toEqual([])
    log.close()
    // A second round brings nothing twice.
    await link.round()
    expect(second.position).toBe(2)
    await second.close()
  })
})
