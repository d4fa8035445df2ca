// `pnpm demo`: the built app and the sync server (on its embedded SQLite store) on one port: the
// sync handler is mounted in the app's preview server, /v1 (HTTP and the live WebSocket) beside
// the app's files, so the browser talks to one origin and the service worker, cookies and CORS
// stay simple. No proxy, no second port.
//
//   node dist-server/main.js [--db data/kanban.sqlite] [--fresh] [--port 4173] [--host 127.0.0.1]
//                            [--sync-only --sync-port 0 --cors <origins>]
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

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: process.env.DEMO_DB ?? resolve(demoRoot, 'data/kanban.sqlite') },
    port: { type: 'string', default: process.env.DEMO_PORT ?? '4173' },
    host: { type: 'string', default: process.env.DEMO_HOST ?? '127.0.0.1' },
    'sync-only': { type: 'boolean', default: false },
    'sync-port': { type: 'string', default: '0' },
    cors: { type: 'string' },
    // Start over: delete the database first (the browsers keep their own copies until you clear them).
    fresh: { type: 'boolean', default: process.env.DEMO_FRESH === '1' },
  },
  strict: true,
})

const db = resolve(args.db)
mkdirSync(dirname(db), { recursive: true })
if (args.fresh) for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true })
const stops: (() => Promise<void>)[] = []

if (args['sync-only']) {
  const sync = await startDemoSyncServer({
    db,
    port: Number(args['sync-port']),
    host: args.host,
    ...(args.cors ? { cors: args.cors === '*' ? '*' : args.cors.split(',') } : {}),
  })
  stops.push(() => sync.close())
  console.log(`Chronicle Kanban sync server on ${sync.url} (SQLite ${db})`)
} else {
  const sync = await openDemoSyncHandler({ db, ...(args.cors ? { cors: args.cors === '*' ? '*' : args.cors.split(',') } : {}) })
  stops.push(() => sync.close())
  const app = await preview({
    root: demoRoot,
    configFile: resolve(demoRoot, 'vite.config.ts'),
    logLevel: 'warn',
    preview: { host: args.host, port: Number(args.port), strictPort: true },
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
  Sync server: ${url}v1 (same port), SQLite ${db}

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
