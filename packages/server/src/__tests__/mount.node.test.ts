// The sync handler mounted in an app's own server, one port for both: a plain Node `http` server
// with the handler as middleware, and a Hono app with the fetch handler. Real processes, and the
// real client: push, pull, live updates and refusals go through the mount as through the CLI.
import { afterAll, describe, expect, it } from 'vitest'
import { decode } from '@chronicle/sync'
import { tokens } from './domain'
import { clientFor, command, eventually, startServer, storedEvents, tempDir, type ServerProcess } from './harness'
import { mountedServerPath } from './serverProcess'

const dir = tempDir('mount')
const running: ServerProcess[] = []
afterAll(async () => {
  await Promise.all(running.map((server) => server.kill('SIGTERM')))
  dir.remove()
})

describe.each(['node', 'hono'] as const)('the sync handler mounted in a %s server', (mount) => {
  const store = { db: `${dir.path}/${mount}.sqlite` }

  it('serves the app and the protocol on one port, live updates included', async () => {
    const server = await startServer(store, { cli: mountedServerPath, args: ['--mount', mount] })
    running.push(server)

    // The app's own route is the app's.
    const page = await fetch(`${server.url}/app`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('The app itself.')

    // A live socket first, then a push: the event arrives over the WebSocket on the same port.
    const alice = clientFor(server.url, tokens.alice)
    const seen: string[] = []
    // Polling is left out (an hour apart): only the WebSocket can bring the event.
    const live = alice.subscribe(0, { events: (events) => void seen.push(...events.map((e) => e.type)) }, { pollInterval: 3_600_000, reconnectDelay: 50 })
    await eventually(() => expect(live.status).toBe('live'), 'the live socket')
    const pushed = command('addItem', { tenant: 'acme', listId: '1', itemId: 'a', text: 'mounted' })
    const answer = await alice.push({ clientId: 'a', lastConfirmed: 0, commands: [pushed] })
    expect(answer.results[0]).toMatchObject({ commandId: pushed.commandId, status: 'ok' })
    await eventually(() => expect(seen).toEqual(['ItemAdded']), 'the live event')
    live.close()

    // Pulls, tenant filtering and the database agree.
    const pulled = await alice.pull(0)
    expect(pulled.events.map((e) => e.meta.commandId)).toEqual([pushed.commandId])
    expect((await clientFor(server.url, tokens.bob).pull(0)).events).toEqual([])
    expect((await storedEvents(store)).map((e) => e.commandId)).toEqual([pushed.commandId])
  })

  it('answers refusals with the protocol error and its HTTP status', async () => {
    const server = running.at(-1)!
    const noToken = await fetch(`${server.url}/v1/push`, { method: 'POST', body: '{}' })
    expect(noToken.status).toBe(401)
    expect(decode.errorResponse(await noToken.json()).ok).toBe(true)

    const malformed = await fetch(`${server.url}/v1/push`, { method: 'POST', body: '{', headers: { authorization: `Bearer ${tokens.alice}` } })
    expect(malformed.status).toBe(400)
    expect(await malformed.json()).toMatchObject({ error: { code: 'malformed-json' } })

    const wrongMethod = await fetch(`${server.url}/v1/events`, { method: 'DELETE', headers: { authorization: `Bearer ${tokens.alice}` } })
    expect(wrongMethod.status).toBe(405)

    const huge = await fetch(`${server.url}/v1/push`, { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024), headers: { authorization: `Bearer ${tokens.alice}` } })
    expect(huge.status).toBe(413)

    const health = await fetch(`${server.url}/v1/health`)
    expect(await health.json()).toMatchObject({ status: 'ok' })
  })
})
