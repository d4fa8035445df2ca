// `pnpm demo`: the built app and the sync server (on its embedded SQLite store) on one port: the
// sync handler is mounted in the app's preview server, /v1 (HTTP and the live WebSocket) beside
// the app's files, so the browser talks to one origin and the service worker, cookies and CORS
// stay simple. No proxy, no second port.
//
//   node dist-server/main.js [--db data/kanban.sqlite] [--fresh] [--port 4173] [--host 127.0.0.1]
//                            [--sync-only --sync-port 0 --cors <origins>] [--rate 50 --burst 1000]
//   node dist-server/main.js --help
import { mkdirSync, rmSync } from 'node:fs'
import type { Server as HttpServer } from 'node:http'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { preview } from 'vite'
import { people } from '../src/domain'
import { demoToken } from '../src/sync/demoTokens'
import { openDemoSyncHandler, startDemoSyncServer } from './syncServer'

// This file runs from dist-server/, one level below the demo's root.
const demoRoot = resolve(import.meta.dirname, '..')

const usage = `Usage: node dist-server/main.js [options]   (pnpm demo builds and runs it)

  --db <file>        SQLite database file (default data/kanban.sqlite; $DEMO_DB)
  --fresh            delete the database first ($DEMO_FRESH=1)
  --port <n>         port of the app and its sync endpoints (default 4173; $DEMO_PORT)
  --host <addr>      address to listen on (default 127.0.0.1; $DEMO_HOST)
  --sync-only        run the sync server alone, without the app
  --sync-port <n>    port of the sync server with --sync-only (default 0: a free one)
  --cors <origins>   comma-separated origins that may call the sync server from browsers, or *
  --rate <n>         pushed commands per second per person (default 50; $DEMO_RATE; 0 turns limiting off)
  --burst <n>        commands a person may push at once (default 1000; $DEMO_BURST)
  --help             show this text`

/** Exits with the usage text instead of a stack trace. */
function fail(message: string): never {
  console.error(`demo server: ${message}\n\n${usage}`)
  process.exit(2)
}

/** A non-negative integer option (from its flag or environment variable). */
function count(text: string, name: string): number {
  const value = Number(text)
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) fail(`--${name} must be a non-negative integer, got ${JSON.stringify(text)}`)
  return value
}

let parsed
try {
  parsed = parseArgs({
    options: {
      db: { type: 'string', default: process.env.DEMO_DB ?? resolve(demoRoot, 'data/kanban.sqlite') },
      port: { type: 'string', default: process.env.DEMO_PORT ?? '4173' },
      host: { type: 'string', default: process.env.DEMO_HOST ?? '127.0.0.1' },
      'sync-only': { type: 'boolean', default: false },
      'sync-port': { type: 'string', default: '0' },
      cors: { type: 'string' },
      rate: { type: 'string', default: process.env.DEMO_RATE ?? '50' },
      burst: { type: 'string', default: process.env.DEMO_BURST ?? '1000' },
      // Start over: delete the database first (the browsers keep their own copies until you clear them).
      fresh: { type: 'boolean', default: process.env.DEMO_FRESH === '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  })
} catch (error) {
  fail(error instanceof Error ? error.message : String(error))
}
const args = parsed.values
if (args.help) {
  console.log(usage)
  process.exit(0)
}
const rate = count(args.rate, 'rate')
const burst = count(args.burst, 'burst')
const ports = { app: count(args.port, 'port'), sync: count(args['sync-port'], 'sync-port') }
if (burst < 1) fail('--burst must be at least 1')
const rateLimit = rate === 0 ? (false as const) : { commandsPerSecond: rate, burst }
const limits = rate === 0 ? 'no rate limit' : `${rate} commands/s per person, bursts of ${burst}`

const db = resolve(args.db)
mkdirSync(dirname(db), { recursive: true })
if (args.fresh) for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true })
const stops: (() => Promise<void>)[] = []

if (args['sync-only']) {
  const sync = await startDemoSyncServer({
    db,
    port: ports.sync,
    host: args.host,
    ...(args.cors ? { cors: args.cors === '*' ? '*' : args.cors.split(',') } : {}),
    rateLimit,
  })
  stops.push(() => sync.close())
  console.log(`Chronicle Kanban sync server on ${sync.url} (SQLite ${db}; ${limits})`)
} else {
  const sync = await openDemoSyncHandler({ db, ...(args.cors ? { cors: args.cors === '*' ? '*' : args.cors.split(',') } : {}), rateLimit })
  stops.push(() => sync.close())
  const app = await preview({
    root: demoRoot,
    configFile: resolve(demoRoot, 'vite.config.ts'),
    logLevel: 'warn',
    preview: { host: args.host, port: ports.app, strictPort: true },
    plugins: [
      {
        name: 'chronicle-sync',
        // Before Vite's own middlewares: /v1 is the sync server's, every other path goes on to the app's files.
        configurePreviewServer(server) {
          server.middlewares.use(sync)
          sync.attach(server.httpServer as HttpServer)
        },
      },
    ],
  })
  stops.unshift(() => app.close())
  const url = app.resolvedUrls?.local[0] ?? `http://${args.host}:${args.port}/`
  console.log(`
  Chronicle Kanban is running on ${url}
  Sync server: ${url}v1 (same port), SQLite ${db}; ${limits}

  Open ${url} in two browsers (or a normal and a private window), pick a different
  person in each header, and watch every change arrive in the other. Ctrl+C stops both.
  Demo tokens: ${people.map((p) => `${p.id} = ${demoToken(p.id)}`).join(', ')}
`)
}

let stopping = false
const stop = () => {
  if (stopping) process.exit(1)
  stopping = true
  void Promise.allSettled(stops.map((s) => s())).then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
