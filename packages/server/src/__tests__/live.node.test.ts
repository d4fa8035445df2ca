// The client's live subscription against a real server, through a proxy that refuses or cuts
// WebSockets: it falls back to polling, comes back to live, and delivers every event once, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventEnvelope } from '@chronicle/core'
import type { LiveStatus, SyncError } from '@chronicle/sync'
import { tokens } from './domain'
import { startFlakyProxy, type FlakyProxy } from './flakyProxy'
import { clientFor, command, eventually, startServer, tempDir, type ServerProcess } from './harness'

const dir = tempDir('live')
let server: ServerProcess
let proxy: FlakyProxy

beforeAll(async () => {
  server = await startServer({ db: `${dir.path}/data.sqlite` })
  // HTTP passes untouched; only the WebSocket misbehaves, on demand.
  proxy = await startFlakyProxy(server.url, { seed: 1, weights: { pass: 1, 'drop-before': 0, 'error-before': 0, 'drop-after': 0, 'error-after': 0, slow: 0 } })
})
afterAll(async () => {
  await proxy?.close()
  await server?.kill('SIGTERM')
  dir.remove()
})

let notes = 0
const pushNotes = (count: number) =>
  clientFor(server.url, tokens.carol).push({
    clientId: 'carol',
    lastConfirmed: 0,
    commands: Array.from({ length: count }, () => command('appendNote', { tenant: 'acme', listId: 'live', text: `note ${++notes}` })),
  })

describe('live subscription', () => {
  it('polls while the WebSocket is refused or cut, goes live again, and delivers each event once', async () => {
    proxy.upgrades = 'refuse'
    const seen: EventEnvelope[] = []
    const statuses: LiveStatus[] = []
    const sub = clientFor(proxy.url, tokens.alice).subscribe(0, { events: (events) => void seen.push(...events), status: (s) => void statuses.push(s) }, { pollInterval: 30, reconnectDelay: 30, maxReconnectDelay: 60 })
    try {
      await pushNotes(5)
      await eventually(() => expect(seen).toHaveLength(5), 'polled events')
      expect(sub.status).toBe('polling')

      proxy.upgrades = 'pipe'
      await eventually(() => expect(sub.status).toBe('live'), 'the socket after it is allowed again')
      await pushNotes(5)
      await eventually(() => expect(seen).toHaveLength(10), 'live events')

      const lives = () => statuses.filter((s) => s === 'live').length
      for (let round = 0; round < 3; round++) {
        const before = lives()
        proxy.cutSockets()
        await pushNotes(4)
        await eventually(() => expect([lives(), sub.status]).toEqual([before + 1, 'live']), 'the socket after a cut')
      }
      await pushNotes(2)
      await eventually(() => expect(seen).toHaveLength(24), 'every event')
      expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1))
      expect(statuses).toContain('polling')
      expect(sub.position).toBe(24)
    } finally {
      sub.close()
    }
    expect(sub.status).toBe('stopped')
  })

  it('delivers events again when the listener fails on them', async () => {
    const start = (await clientFor(server.url, tokens.alice).pull(0)).head
    const seen: number[] = []
    const errors: SyncError[] = []
    let failOnce = true
    const sub = clientFor(server.url, tokens.alice).subscribe(
      start,
      {
        events: (events) => {
          if (failOnce && events.length > 0) {
            failOnce = false
            throw new Error('the app could not apply them')
          }
          seen.push(...events.map((e) => e.seq))
        },
        error: (e) => void errors.push(e),
      },
      { pollInterval: 30, reconnectDelay: 30 },
    )
    try {
      await eventually(() => expect(sub.status).toBe('live'), 'live')
      await pushNotes(3)
      await eventually(() => expect(seen).toEqual([start + 1, start + 2, start + 3]), 'the events, once each')
      expect(errors.map((e) => e.code)).toEqual(['internal'])
    } finally {
      sub.close()
    }
  })
})
