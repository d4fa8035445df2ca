// Slow and greedy clients against a real server process and real sockets: header, request and
// idle timeouts shed them, a per-address cap bounds how many connections one client holds, and
// healthy clients (from another address) are served meanwhile. The attackers connect from
// 127.0.0.2, which Linux routes over loopback like 127.0.0.1. Nothing here measures speed: each
// check waits for a condition, with the configured timeouts kept short so the waits are short.
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tokens } from './domain'
import { clientFor, command, eventually, startServer, storedEvents, tempDir, type ServerProcess } from './harness'

const dir = tempDir('connections')
const store = { db: `${dir.path}/data.sqlite` }
const cap = 16
let server: ServerProcess

beforeAll(async () => {
  server = await startServer(store, {
    args: ['--headers-timeout', '400', '--request-timeout', '1500', '--idle-timeout', '400', '--max-connections-per-client', String(cap)],
  })
})
afterAll(async () => {
  await server?.kill('SIGTERM')
  dir.remove()
})

/** A raw TCP connection that records what it received and when it closed. */
interface RawConnection {
  readonly socket: Socket
  readonly received: () => string
  readonly closed: Promise<void>
  readonly isClosed: () => boolean
}

function open(localAddress = '127.0.0.2'): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: server.port, localAddress })
    let received = ''
    let isClosed = false
    socket.on('data', (chunk) => (received += chunk.toString()))
    socket.on('error', () => undefined)
    const closed = new Promise<void>((resolveClosed) => socket.once('close', () => ((isClosed = true), resolveClosed())))
    socket.once('connect', () => resolve({ socket, received: () => received, closed, isClosed: () => isClosed }))
    socket.once('error', reject)
  })
}

/** Writes `text` a few bytes at a time, every `ms`, until the socket closes or the text ends. */
async function drip(connection: RawConnection, text: string, ms: number, bytes = 1) {
  for (let i = 0; i < text.length && !connection.isClosed(); i += bytes) {
    connection.socket.write(text.slice(i, i + bytes))
    await new Promise((resolve) => setTimeout(resolve, ms))
  }
}

const waitClosed = (connections: readonly RawConnection[], what: string) =>
  eventually(() => expect(connections.filter((c) => !c.isClosed()).length).toBe(0), what, 15_000, 50)

describe('connection limits', () => {
  it('closes connections that send nothing, or their headers too slowly', async () => {
    const silent = await Promise.all(Array.from({ length: 5 }, () => open()))
    const slowHeaders = await Promise.all(Array.from({ length: 5 }, () => open()))
    for (const connection of slowHeaders) void drip(connection, 'GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(10_000), 50)
    await waitClosed([...silent, ...slowHeaders], 'silent and slow-header connections to be closed')
    // The slow ones were told why before they were cut off.
    expect(slowHeaders.some((c) => c.received().startsWith('HTTP/1.1 408'))).toBe(true)
  })

  it('closes uploads that take too long, but not a push that takes long to answer', async () => {
    const uploads = await Promise.all(Array.from({ length: 5 }, () => open()))
    const head = `POST /v1/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokens.alice}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`
    for (const connection of uploads) {
      connection.socket.write(head)
      void drip(connection, 'x'.repeat(100_000), 100, 10)
    }
    await waitClosed(uploads, 'slow uploads to be closed')
    expect(await storedEvents(store)).toEqual([])

    // Three commands of 800 ms each: the answer comes well after the request timeout, and arrives.
    const slow = Array.from({ length: 3 }, (_, i) => command('slowNote', { tenant: 'acme', listId: 'slow', text: `n${i}`, ms: 800 }))
    const answer = await clientFor(server.url, tokens.alice, 30_000).push({ clientId: 'a', lastConfirmed: 0, commands: slow })
    expect(answer.results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok'])
  })

  it('closes kept-alive connections left idle, and keeps live sockets open', async () => {
    const alice = clientFor(server.url, tokens.alice)
    const seen: string[] = []
    const live = alice.subscribe(0, { events: (events) => void seen.push(...events.map((e) => e.meta.commandId)) }, { pollInterval: 3_600_000, reconnectDelay: 3_600_000 })
    await eventually(() => expect(live.status).toBe('live'), 'the live socket')

    const idle = await open()
    idle.socket.write('GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n')
    await eventually(() => expect(idle.received()).toContain('"status":"ok"'), 'the health answer')
    await waitClosed([idle], 'the idle kept-alive connection to be closed')

    // Long past the idle timeout, the live socket still brings events (it never reconnects: the
    // reconnect delay is an hour).
    const pushed = command('appendNote', { tenant: 'acme', listId: 'live', text: 'still here' })
    await alice.push({ clientId: 'a', lastConfirmed: 0, commands: [pushed] })
    await eventually(() => expect(seen).toContain(pushed.commandId), 'the live event')
    expect(live.status).toBe('live')
    live.close()
  })

  it('caps connections per client address, and serves other clients while one holds its cap', async () => {
    const attempts = await Promise.all(Array.from({ length: cap + 20 }, () => open()))
    // Every connection over the cap is answered 503 and closed; the first `cap` are not refused.
    const refused = () => attempts.filter((c) => c.received().startsWith('HTTP/1.1 503'))
    await eventually(() => expect(refused().length).toBe(20), 'the connections over the cap to be refused', 15_000, 10)
    await Promise.all(refused().map((c) => c.closed))

    // Meanwhile a client from another address pushes and pulls as usual.
    const healthy = clientFor(server.url, tokens.carol)
    const pushed = command('appendNote', { tenant: 'acme', listId: 'healthy', text: 'fine' })
    expect((await healthy.push({ clientId: 'c', lastConfirmed: 0, commands: [pushed] })).results[0]?.status).toBe('ok')
    expect((await healthy.pull(0)).events.map((e) => e.meta.commandId)).toContain(pushed.commandId)

    // Once the held connections are gone (here: shed by the header timeout), the address may connect again.
    await waitClosed(attempts, 'the held connections to be shed')
    const again = await open()
    again.socket.write('GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    await again.closed
    expect(again.received()).toMatch(/^HTTP\/1.1 200/)
  })
})
