// A server of the app's own with the sync handler mounted in it, as the docs show: a plain Node
// `http` server (the Express/Connect middleware signature) or a Hono app (the fetch handler).
// Both serve a page of their own at /app beside the protocol's /v1 paths, on one port. It takes
// the CLI's arguments (`--db`, `--port`, `--host`; `--postgres` too) plus `--mount node|hono`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Server } from 'node:http'
import { parseArgs } from 'node:util'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { createSyncHandler, postgresStorage, sqliteStorage } from '../index'
import { authenticate, authorize, canRead, commands } from './domain'

const { values: args } = parseArgs({
  options: {
    mount: { type: 'string', default: 'node' },
    db: { type: 'string' },
    postgres: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
  strict: false,
})

const sync = createSyncHandler({
  domain: { commands },
  store: typeof args.postgres === 'string' ? postgresStorage({ connectionString: args.postgres }) : sqliteStorage({ path: String(args.db) }),
  authenticate,
  authorize,
  canRead,
  rateLimit: false,
})

await sync.open()

const page = '<!doctype html><title>app</title><p>The app itself.</p>'

let server: Server
if (args.mount === 'hono') {
  const app = new Hono()
  app.get('/app', (c) => c.html(page))
  app.all('/v1/*', (c) => sync.fetch(c.req.raw))
  server = serve({ fetch: app.fetch, port: Number(args.port), hostname: String(args.host) }) as Server
} else {
  // What Express's app.use(sync) does: the middleware first, the app's own routes after it.
  const appRoutes = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/app') res.writeHead(200, { 'content-type': 'text/html' }).end(page)
    else res.writeHead(404).end('not found')
  }
  server = createServer((req, res) => sync(req, res, () => appRoutes(req, res)))
  server.listen(Number(args.port), String(args.host))
}
sync.attach(server)
await new Promise((resolve) => (server.listening ? resolve(undefined) : server.once('listening', resolve)))
console.log(`mounted (${String(args.mount)}) listening on http://${String(args.host)}:${(server.address() as { port: number }).port}`)

const stop = () => {
  server.close()
  server.closeAllConnections()
  void sync.close().then(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
