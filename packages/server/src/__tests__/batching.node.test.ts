// A push's commands are executed together: one idempotency lookup, one group commit (one append
// transaction, one round trip on PostgreSQL whatever the batch's size), in the client's order.
// Counted on real SQLite and PostgreSQL: append calls, and every query pg sends. Also: a rate
// limit store of the application's own, asked once per push.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client } from 'pg'
import type { PushCommand, PushResponse } from '@chronicle/sync'
import { createSyncHandler, type SyncHandler } from '../handler'
import { postgresStorage } from '../storage/postgres'
import type { ServerStorageBackend } from '../storage/serverStorage'
import { sqliteStorage } from '../storage/sqlite'
import { authenticate, authorize, canRead, commands, tokens } from './domain'
import { command, tempDir } from './harness'
import { startPostgres, type PostgresCluster } from './postgresCluster'

/** A backend whose logs count append calls (one call = one transaction). */
function counting(inner: ServerStorageBackend) {
  const appends: number[] = []
  const logReads: number[] = []
  const backend: ServerStorageBackend = {
    ...inner,
    async open(name, options) {
      const log = await inner.open(name, options)
      return {
        ...log,
        append: (batch, appendOptions) => (appends.push(batch.length), log.append(batch, appendOptions)),
        readLog: (after, range) => (logReads.push(after), log.readLog(after, range)),
      }
    },
  }
  return { backend, appends, logReads }
}

/** Every query text pg sends while `work` runs (all clients of this process). */
async function queriesDuring<T>(work: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
  const queries: string[] = []
  const original = Client.prototype.query
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    const config = args[0]
    queries.push(typeof config === 'string' ? config : String((config as { text?: unknown }).text))
    return (original as (...a: unknown[]) => unknown).apply(this, args)
  } as typeof original
  try {
    return { result: await work(), queries }
  } finally {
    Client.prototype.query = original
  }
}

async function push(sync: SyncHandler, pushed: readonly PushCommand[], token: string = tokens.alice): Promise<PushResponse> {
  const request = new Request('http://server/v1/push', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: 2, clientId: 'batch', lastConfirmed: 0, commands: pushed }),
  })
  return (await (await sync.fetch(request)).json()) as PushResponse
}

const note = (listId: string, text: string) => command('appendNote', { tenant: 'acme', listId, text })
const history = (kind: 'undo' | 'redo', target: PushCommand): PushCommand => ({ ...command('addItem', {}), type: target.type, payload: null, history: { kind, target: target.commandId } })

function batchingSuite(backend: () => Promise<ServerStorageBackend>, pg: boolean) {
  let sync: SyncHandler
  let appends: number[]
  let logReads: number[]
  beforeAll(async () => {
    const counted = counting(await backend())
    appends = counted.appends
    logReads = counted.logReads
    sync = createSyncHandler({ domain: { commands }, store: counted.backend, authenticate, authorize, canRead, rateLimit: false, onError: () => undefined })
    await sync.open()
  })
  afterAll(() => sync?.close())

  it('commits a push of 300 commands on two streams in one append, in the client\'s order, each answered with its events', async () => {
    const pushed = Array.from({ length: 300 }, (_, i) => note(i % 3 === 0 ? 'b' : 'a', `n${i}`))
    // A rule violation in the middle is refused on its own; the rest still commit together.
    pushed.splice(150, 0, command('removeItem', { tenant: 'acme', listId: 'a', itemId: 'missing' }))
    appends.length = 0
    const { result, queries } = await queriesDuring(() => push(sync, pushed))
    expect(result.results.map((r) => r.commandId)).toEqual(pushed.map((c) => c.commandId))
    expect(result.results[150]).toMatchObject({ status: 'rejected', error: { code: 'item-missing' } })
    const accepted = result.results.filter((r) => r.status === 'ok')
    expect(accepted).toHaveLength(300)
    expect(appends).toEqual([300])
    const positions = accepted.map((r) => r.status === 'ok' && r.position)
    expect(positions).toEqual([...positions].sort((x, y) => Number(x) - Number(y)))
    expect(accepted.map((r) => r.status === 'ok' && (r.events[0]!.payload as { text: string }).text)).toEqual(pushed.filter((_, i) => i !== 150).map((c) => (c.payload as { text: string }).text))
    expect(result.head).toBe(accepted.at(-1)!.status === 'ok' && (accepted.at(-1) as { position: number }).position)
  })

  it('needs the same few round trips for a push of 2 commands and of 400', async () => {
    const counts: number[] = []
    for (const size of [2, 400]) {
      const pushed = Array.from({ length: size }, (_, i) => note(i % 2 === 0 ? 'a' : 'b', `m${i}`))
      appends.length = 0
      const { result, queries } = await queriesDuring(() => push(sync, pushed))
      expect(result.results.every((r) => r.status === 'ok')).toBe(true)
      expect(appends).toEqual([size])
      // Reads of the log by the live tail (it follows every commit) are not the push's.
      counts.push(queries.filter((q) => !q.includes('seq > $2')).length)
      // Every stream where the batch expected it, no id recorded: the append is one round trip.
      if (pg) expect(queries.filter((q) => q.includes('chronicle_append_at_once') || q.includes('pg_advisory_xact_lock') || q.includes('COMMIT'))).toHaveLength(1)
    }
    // PostgreSQL: the idempotency lookup, each stream's catch-up read, the append.
    if (pg) expect(counts).toEqual([4, 4])
  })

  it('gives the live tail its own commits instead of reading them back', async () => {
    logReads.length = 0
    const answer = await push(sync, [note('t', '1'), note('t', '2')])
    expect(answer.results.every((r) => r.status === 'ok')).toBe(true)
    // The tail would read the log on the next turn of the event loop, had it not been offered them.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(logReads).toEqual([])
  })

  it('answers repeats from the log in the same push, and runs an undo in order with the commands around it', async () => {
    const tea = command('addItem', { tenant: 'acme', listId: 'h', itemId: 'tea', text: 'Tea' })
    const first = await push(sync, [tea])
    expect(first.results[0]).toMatchObject({ status: 'ok', duplicate: false })
    const again = command('addItem', { tenant: 'acme', listId: 'h', itemId: 'tea', text: 'Tea again' })
    const after = note('h', 'after')
    // Without its undo first, adding tea again would break the list's rule.
    const answer = await push(sync, [tea, history('undo', tea), again, after])
    expect(answer.results.map((r) => (r.status === 'ok' ? [r.duplicate, r.events.map((e) => e.type)] : r.error.code))).toEqual([
      [true, ['ItemAdded']],
      [false, ['Undone']],
      [false, ['ItemAdded']],
      [false, ['NoteAppended']],
    ])
  })

  it('refuses every command of a principal the server-wide authorize refuses, and writes nothing', async () => {
    appends.length = 0
    const answer = await push(sync, [note('v', '1'), note('v', '2')], tokens.victor)
    expect(answer.results.map((r) => r.status === 'rejected' && r.error.code)).toEqual(['forbidden', 'forbidden'])
    expect(appends).toEqual([])
  })
}

describe('a push as one group commit on SQLite', () => {
  const dir = tempDir('batching')
  afterAll(() => dir.remove())
  batchingSuite(async () => sqliteStorage({ path: `${dir.path}/data.sqlite` }), false)
})

describe('a push as one group commit on PostgreSQL', () => {
  let cluster: PostgresCluster
  beforeAll(async () => {
    cluster = await startPostgres()
  })
  afterAll(() => cluster?.stop())
  batchingSuite(async () => postgresStorage({ connectionString: await cluster.createDatabase('batching') }), true)
})

describe('a rate limit store of the application\'s own', () => {
  const dir = tempDir('rate-store')
  afterAll(() => dir.remove())

  it('is asked once per push, with the principal\'s key and the push\'s command count, and its answer holds', async () => {
    const asked: [string, number][] = []
    let wait = 0
    const sync = createSyncHandler({
      domain: { commands },
      store: sqliteStorage({ path: `${dir.path}/data.sqlite` }),
      authenticate,
      canRead,
      rateLimit: { commandsPerSecond: 1, burst: 500, key: (principal) => (principal as { user: string }).user, store: { take: async (key, cost) => (asked.push([key, cost]), wait) } },
    })
    try {
      expect((await push(sync, [note('r', '1'), note('r', '2')])).results).toHaveLength(2)
      wait = 4000
      const refused = (await push(sync, [note('r', '3')])) as unknown as { error: { code: string; retryAfter: number } }
      expect(refused.error).toMatchObject({ code: 'rate-limited', retryAfter: 4000 })
      expect(asked).toEqual([
        ['alice', 2],
        ['alice', 1],
      ])
    } finally {
      await sync.close()
    }
  })
})
