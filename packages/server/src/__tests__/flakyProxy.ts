// A test proxy between clients and a sync server that breaks the link on purpose: connections
// dropped before or after the server saw the request, 500s before or after it ran, slow answers.
// Faults are drawn from a seeded generator, so a failing run can be replayed.
import { connect, type Socket } from 'node:net'
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'

/** What the proxy does to one HTTP request. */
export type Fault =
  /** Forwarded untouched. */
  | 'pass'
  /** The connection is dropped before the server sees the request. */
  | 'drop-before'
  /** A 500 (not a protocol answer) before the server sees the request. */
  | 'error-before'
  /** The server runs the request, then the client's connection is dropped: its answer is lost. */
  | 'drop-after'
  /** The server runs the request, then the client gets a 502 instead of the answer. */
  | 'error-after'
  /** Forwarded after a delay of 20-200 ms. */
  | 'slow'

/** Live WebSocket upgrades: piped through, or refused (the client must fall back to polling). */
export type UpgradeMode = 'pipe' | 'refuse'

export interface FlakyProxy {
  readonly url: string
  /** How often each fault happened. */
  readonly stats: Record<Fault, number>
  upgrades: UpgradeMode
  /** Changes how often each fault happens from now on (unnamed faults keep their weight). */
  setWeights(weights: Partial<Record<Fault, number>>): void
  /**
   * Takes the link down (every request dropped, upgrades refused, open sockets cut: the server is
   * unreachable) or brings it back up with the faults it had.
   */
  setDown(down: boolean): void
  /** WebSocket connections piped through now. */
  readonly sockets: number
  /** Cuts every piped WebSocket connection now. */
  cutSockets(): void
  close(): Promise<void>
}

/** mulberry32: a tiny seeded PRNG. */
function random(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export async function startFlakyProxy(target: string, options: { seed: number; weights?: Partial<Record<Fault, number>> }): Promise<FlakyProxy> {
  const upstream = new URL(target)
  const next = random(options.seed)
  let weights: Record<Fault, number> = { pass: 4, 'drop-before': 1, 'error-before': 1, 'drop-after': 2, 'error-after': 1, slow: 1, ...options.weights }
  let total = Object.values(weights).reduce((a, b) => a + b, 0)
  let down = false
  const pick = (): Fault => {
    if (down) return 'drop-before'
    let r = next() * total
    for (const [fault, weight] of Object.entries(weights) as [Fault, number][]) {
      if ((r -= weight) < 0) return fault
    }
    return 'pass'
  }
  const stats: Record<Fault, number> = { pass: 0, 'drop-before': 0, 'error-before': 0, 'drop-after': 0, 'error-after': 0, slow: 0 }
  const piped = new Set<Socket>()

  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const out = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }))
          res.on('error', reject)
        },
      )
      out.on('error', reject)
      out.end(body)
    })

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const fault = pick()
    stats[fault]++
    if (fault === 'drop-before') return void req.socket.destroy()
    if (fault === 'error-before') return void res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>proxy error</h1>')
    if (fault === 'slow') await new Promise((r) => setTimeout(r, 20 + next() * 180))
    let answer
    try {
      answer = await forward(req, body)
    } catch {
      // The server is down: what a real proxy would say.
      return void res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway')
    }
    if (fault === 'drop-after') return void req.socket.destroy()
    if (fault === 'error-after') return void res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway')
    const { 'transfer-encoding': _encoding, connection: _connection, ...headers } = answer.headers
    res.writeHead(answer.status, headers).end(answer.body)
  }

  const server = createServer((req, res) => void handle(req, res).catch(() => req.socket.destroy()))
  const proxy: FlakyProxy = {
    url: '',
    stats,
    upgrades: 'pipe',
    get sockets() {
      return piped.size
    },
    setWeights(changed) {
      weights = { ...weights, ...changed }
      total = Object.values(weights).reduce((a, b) => a + b, 0)
    },
    setDown(value) {
      down = value
      if (down) proxy.cutSockets()
    },
    cutSockets() {
      for (const socket of piped) socket.destroy()
    },
    close: () =>
      new Promise((resolve) => {
        proxy.cutSockets()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }

  // WebSocket upgrades: pass the raw bytes both ways, or refuse.
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    if (proxy.upgrades === 'refuse' || down) return void client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
    const socket = connect(Number(upstream.port), upstream.hostname, () => {
      const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${k === 'host' ? upstream.host : String(v)}`)
      socket.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`)
      socket.write(head)
      socket.pipe(client)
      client.pipe(socket)
    })
    piped.add(client)
    const done = () => {
      piped.delete(client)
      socket.destroy()
      client.destroy()
    }
    socket.on('error', done).on('close', done)
    client.on('error', done).on('close', done)
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return Object.assign(proxy, { url: `http://127.0.0.1:${port}` })
}
