import { createStore, type Store } from '@chronicle/core'
import { createSyncHandler, createSyncServer, sqliteStorage, type CorsOptions, type RateLimitOptions, type SyncHandler, type SyncHandlerOptions } from '@chronicle/server'
import { boardView, commands, dashboard, demoBoardId, people, projections, reactions, seedDemoBoard, seedSteps } from '../src/domain'
import { personOfToken } from '../src/sync/demoTokens'

/** The log's name inside the database. */
export const demoLogName = 'chronicle-kanban'

/** Options of `startDemoSyncServer`. */
export interface DemoSyncServerOptions {
  /** The SQLite file (created when missing). */
  readonly db: string
  readonly port?: number
  readonly host?: string
  /** Browser origins that may call the server directly (the app itself goes through its own origin). */
  readonly cors?: CorsOptions['origins']
  /** Pushed commands per person (default 50 per second, bursts of 1000); `false` turns limiting off. */
  readonly rateLimit?: RateLimitOptions | false
}

/** A running demo sync server. */
export interface DemoSyncServer {
  readonly url: string
  close(): Promise<void>
}

/** The sync options of the demo: its domain, its log in `db`, and the demo tokens. */
function demoSyncOptions(options: DemoSyncServerOptions): SyncHandlerOptions {
  return {
    domain: { commands },
    store: sqliteStorage({ path: options.db }),
    name: demoLogName,
    authenticate: (token) => {
      const userId = personOfToken(token)
      return userId ? { userId } : null
    },
    canRead: () => true,
    ...(options.cors ? { cors: { origins: options.cors } } : {}),
    ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
    // The largest push must fit in one burst.
    ...(options.rateLimit ? { maxCommandsPerPush: Math.min(500, options.rateLimit.burst) } : {}),
  }
}

/**
 * Seeds a new database with the demo board, through a store of its own on the same database
 * connection, and then opens the server's log (`open`) while that connection is still held.
 */
async function seeded(storage: SyncHandlerOptions['store'], open: () => Promise<unknown>): Promise<void> {
  const seeder = createStore({ name: demoLogName, commands, projections, reactions, storage, origin: 'server', persist: false, principal: { userId: people[0].id } })
  try {
    await seedLog(seeder)
    await open()
  } finally {
    // The connection stays open while the server uses it.
    await seeder.close()
  }
}

/**
 * The Kanban demo's sync endpoints as a handler to mount in the app's own server (one port for the
 * app and sync, as `pnpm demo` serves them): `@chronicle/server` over an embedded SQLite file,
 * running the same domain module as the browser. Requests authenticate with a team member's demo
 * token (src/sync/demoTokens.ts); everyone on the team reads the whole board. A new database gets
 * the demo board first, through ordinary commands issued by the team members.
 */
export async function openDemoSyncHandler(options: Omit<DemoSyncServerOptions, 'port' | 'host'>): Promise<SyncHandler> {
  const config = demoSyncOptions(options)
  const handler = createSyncHandler(config)
  await seeded(config.store, () => handler.open())
  return handler
}

/** The demo's sync endpoints on a port of their own (`--sync-only`, and the end-to-end tests' per-test servers). */
export async function startDemoSyncServer(options: DemoSyncServerOptions): Promise<DemoSyncServer> {
  const config = demoSyncOptions(options)
  const server = createSyncServer(config)
  let url = ''
  await seeded(config.store, async () => (url = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1')))
  return { url, close: () => server.close() }
}

/**
 * Fills a new log with the demo board (an existing one is left as it is) and waits for the
 * reaction that records when a seeded card reached Done, so every completion is in the log.
 */
async function seedLog(store: Store): Promise<void> {
  await store.ready
  if (store.read(boardView).boards[demoBoardId]) return
  await seedDemoBoard(store)
  const finished = seedSteps(Date.now()).filter(({ command }) => command.type === 'moveCard' && (command.payload as { to?: string }).to === 'done').length
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Seeding the demo board: the completions of finished cards were not recorded within 10 s')), 10_000)
    const subscription = store.query(dashboard, (s) => s.boards[demoBoardId]?.completions.length ?? 0).subscribe((count) => {
      if (count < finished) return
      clearTimeout(timer)
      resolve()
      queueMicrotask(() => subscription.unsubscribe())
    })
  })
}
