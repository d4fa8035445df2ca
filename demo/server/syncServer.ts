import { createStore, type Store } from '@chronicle/core'
import { createSyncServer, sqliteStorage, type CorsOptions } from '@chronicle/server'
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
}

/** A running demo sync server. */
export interface DemoSyncServer {
  readonly url: string
  close(): Promise<void>
}

/**
 * The Kanban demo's sync server: `@chronicle/server` over an embedded SQLite file, running the
 * same domain module as the browser. Requests authenticate with a team member's demo token
 * (src/sync/demoTokens.ts); everyone on the team reads the whole board. A new database gets the
 * demo board first, through ordinary commands issued by the team members.
 */
export async function startDemoSyncServer(options: DemoSyncServerOptions): Promise<DemoSyncServer> {
  const storage = sqliteStorage({ path: options.db })
  const server = createSyncServer({
    domain: { commands },
    store: storage,
    name: demoLogName,
    authenticate: (token) => {
      const userId = personOfToken(token)
      return userId ? { userId } : null
    },
    canRead: () => true,
    ...(options.cors ? { cors: { origins: options.cors } } : {}),
  })
  // Seeding runs through a store of its own on the same database connection, before the server opens.
  const seeder = createStore({ name: demoLogName, commands, projections, reactions, storage, origin: 'server', persist: false, principal: { userId: people[0].id } })
  let url: string
  try {
    await seedLog(seeder)
    url = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1')
  } finally {
    // The connection stays open while the server uses it.
    await seeder.close()
  }
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
