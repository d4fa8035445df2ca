import { describe, expect, it } from 'vitest'
import { createStore, indexedDbStorage, type SyncConnector } from '../index'
import { addCard, boardView, commands } from './fixtures'
import { loopbackServer } from './loopback'

describe('sync runs in the leading tab only (real Chromium, Web Locks)', () => {
  it('one of two stores on one log connects; when it closes, the other takes over and pushes both outboxes', async () => {
    const { server, client } = loopbackServer(commands)
    const name = `sync-leader-${Date.now()}`
    const connected: string[] = []
    const tracked = (label: string) => {
      const link = client()
      const connector: SyncConnector = {
        outbox: link.outbox,
        connect(host) {
          connected.push(label)
          return link.connect(host)
        },
      }
      return { link, connector }
    }
    const a = tracked('a')
    const b = tracked('b')
    const leadership = { heartbeatInterval: 50, timeout: 200 }
    const first = createStore({ name, commands, projections: [boardView], storage: indexedDbStorage(), sync: a.connector, leadership })
    await first.ready
    await expect.poll(() => first.isLeader).toBe(true)
    const second = createStore({ name, commands, projections: [boardView], storage: indexedDbStorage(), sync: b.connector, leadership })
    await second.ready
    await first.dispatch(addCard({ boardId: 'b', cardId: 'from-a', title: 'a' }))
    await second.dispatch(addCard({ boardId: 'b', cardId: 'from-b', title: 'b' }))
    await new Promise((r) => setTimeout(r, 300))
    expect(connected).toEqual(['a'])
    expect(second.isLeader).toBe(false)
    // Both tabs' commands wait in the one shared outbox.
    await expect.poll(() => first.sync?.status.pending).toBe(2)

    await first.close()
    await expect.poll(() => connected).toEqual(['a', 'b'])
    await b.link.round()
    expect(server.position).toBe(2)
    await expect.poll(() => second.sync?.status.pending).toBe(0)
    expect(second.read(boardView).count).toBe(2)
    await second.close()
  })
})
