// Real server processes for the integration tests (serverProcess.ts), plus a client and the
// database inspection the tests need.
import Database from 'better-sqlite3'
import { Client } from 'pg'
import { WebSocket } from 'ws'
import { createSyncClient, type PushCommand, type SyncClient } from '@chronicle/sync'
import type { StoreArgs } from './serverProcess'

export { cliPath, domainPath, kanbanDomainPath, startServer, tempDir, type ServerProcess, type StoreArgs } from './serverProcess'

/** A protocol client for a token, with `ws` for live updates (Node 20 has no global WebSocket). */
export function clientFor(url: string, token: string, timeout = 10_000): SyncClient {
  return createSyncClient({ url, token, WebSocket, timeout })
}

let counter = 0
/** A fresh command for the test domain. */
export function command(type: 'addItem' | 'removeItem' | 'appendNote' | 'slowNote', payload: Record<string, unknown>): PushCommand {
  return { commandId: `cmd-${process.pid}-${Date.now().toString(36)}-${++counter}`, type, payload, at: Date.now() }
}

/** An event row as the database holds it, parsed. */
export interface StoredEvent {
  readonly seq: number
  readonly stream: string
  readonly version: number
  readonly type: string
  readonly payload: Record<string, unknown>
  readonly commandId: string
}

/** Reads what the server stored, straight from its database (not through the server). */
export async function storedEvents(store: StoreArgs): Promise<StoredEvent[]> {
  const toEvent = (row: { seq: unknown; stream: string; version: unknown; type: string; payload: unknown; meta: unknown }): StoredEvent => ({
    seq: Number(row.seq),
    stream: row.stream,
    version: Number(row.version),
    type: row.type,
    payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Record<string, unknown>,
    commandId: ((typeof row.meta === 'string' ? JSON.parse(row.meta) : row.meta) as { commandId: string }).commandId,
  })
  const sql = 'SELECT seq, stream, version, type, payload, meta FROM chronicle_events ORDER BY seq'
  if ('db' in store) {
    const db = new Database(store.db, { readonly: true, fileMustExist: true })
    try {
      return (db.prepare(sql).all() as Parameters<typeof toEvent>[0][]).map(toEvent)
    } finally {
      db.close()
    }
  }
  const client = new Client({ connectionString: store.postgres })
  await client.connect()
  try {
    const exists = await client.query(`SELECT to_regclass('chronicle_events') AS t`)
    if (!exists.rows[0]?.t) return []
    return (await client.query(sql)).rows.map(toEvent)
  } finally {
    await client.end()
  }
}

/** Resolves once `check` passes, checking after each `step` ms (for conditions, not timings). */
export async function eventually<T>(check: () => T | Promise<T>, what: string, limit = 20_000, step = 20): Promise<T> {
  const started = Date.now()
  let lastError: unknown
  for (;;) {
    try {
      return await check()
    } catch (error) {
      lastError = error
    }
    if (Date.now() - started > limit) throw new Error(`Gave up waiting for ${what}: ${String(lastError)}`)
    await new Promise((r) => setTimeout(r, step))
  }
}

type Result = Awaited<ReturnType<SyncClient['push']>>['results'][number]

/** Counts pushes on the wire, so a test can tell that it interrupted one. */
export const pushesInFlight = { count: 0 }

/**
 * Pushes commands until every one has an answer, retrying whatever failed or was left unanswered
 * (the way the browser's outbox will). Returns the results by commandId; `onAnswer` hears of each
 * as it arrives.
 */
export async function pushUntilAnswered(
  client: SyncClient,
  commands: readonly PushCommand[],
  options: { batch?: number; clientId?: string; onAnswer?: (result: Result) => void } = {},
): Promise<Map<string, Result>> {
  const answered = new Map<string, Result>()
  let failures = 0
  while (answered.size < commands.length) {
    const pending = commands.filter((c) => !answered.has(c.commandId)).slice(0, options.batch ?? 10)
    pushesInFlight.count++
    try {
      const response = await client.push({ clientId: options.clientId ?? 'test', lastConfirmed: 0, commands: pending })
      for (const result of response.results) {
        answered.set(result.commandId, result)
        options.onAnswer?.(result)
      }
    } catch (error) {
      if (!(error as { retryable?: boolean }).retryable) throw error
      if (++failures > 2000) throw new Error(`Pushing kept failing: ${String(error)}`)
      await new Promise((r) => setTimeout(r, 10))
    } finally {
      pushesInFlight.count--
    }
  }
  return answered
}
