// Tenant filtering by the database: each event's scope in an indexed column, pulls and live
// updates reading only the principal's scopes (canRead then sees only those events), scopes given
// to events stored before, and canRead still deciding within a scope. Real SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { Client } from 'pg'
import type { EventEnvelope, Principal } from '@chronicle/core'
import type { PullResponse, PushResponse } from '@chronicle/sync'
import { createSyncServer, type SyncServer } from '../syncServer'
import { postgresStorage } from '../storage/postgres'
import type { ServerStorageBackend } from '../storage/serverStorage'
import { sqliteStorage } from '../storage/sqlite'
import { authenticate, canRead, commands, scopes, tokens, type TestPrincipal } from './domain'
import { clientFor, command, eventually, tempDir } from './harness'
import { startPostgres, type PostgresCluster } from './postgresCluster'

interface Setup {
  readonly backend: () => ServerStorageBackend
  /** Each stored event's stream and scope, straight from the database. */
  readonly stored: () => Promise<{ stream: string; scope: string | null }[]>
}

/** A server of the test domain; `reads` records every stream canRead was asked about. */
async function serve(backend: ServerStorageBackend, withScopes: boolean, extraRule: (principal: Principal, stream: string) => boolean = () => true) {
  const reads: string[] = []
  const server = createSyncServer({
    domain: { commands },
    store: backend,
    authenticate,
    canRead: (principal, stream) => (reads.push(stream), canRead(principal, stream) && extraRule(principal, stream)),
    ...(withScopes ? { scopes } : {}),
    rateLimit: false,
  })
  const url = await server.listen()
  return { server, url, reads }
}

async function pushNotes(url: string, token: string, tenant: string, listId: string, count: number): Promise<PushResponse> {
  const pushed = Array.from({ length: count }, (_, i) => command('appendNote', { tenant, listId, text: `${listId} ${i}` }))
  return clientFor(url, token).push({ clientId: 'scopes', lastConfirmed: 0, commands: pushed })
}

async function pull(url: string, token: string, after = 0, limit = 500): Promise<PullResponse> {
  const response = await fetch(`${url}/v1/events?after=${after}&limit=${limit}&protocol=2`, { headers: { authorization: `Bearer ${token}` } })
  return (await response.json()) as PullResponse
}

function scopesSuite(setup: () => Promise<Setup>) {
  let servers: SyncServer[] = []
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()))
  })

  it('gives events stored before scopes their stream\'s scope when a server with scopes opens the log', async () => {
    const { backend, stored } = await setup()
    const before = await serve(backend(), false)
    await pushNotes(before.url, tokens.alice, 'acme', 'old', 3)
    await pushNotes(before.url, tokens.bob, 'globex', 'old', 2)
    await before.server.close()
    expect(new Set((await stored()).map((row) => row.scope))).toEqual(new Set([null]))
    const after = await serve(backend(), true)
    servers.push(after.server)
    await pushNotes(after.url, tokens.bob, 'globex', 'new', 1)
    expect((await stored()).map((row) => [row.stream, row.scope])).toEqual([
      ...Array(3).fill(['acme/list-old', 'acme']),
      ...Array(2).fill(['globex/list-old', 'globex']),
      ['globex/list-new', 'globex'],
    ])
    // Bob's pull reads globex's three events only: canRead is not even asked about acme's.
    after.reads.length = 0
    const page = await pull(after.url, tokens.bob)
    expect(page.events.map((e) => e.stream)).toEqual(['globex/list-old', 'globex/list-old', 'globex/list-new'])
    expect(after.reads.every((stream) => stream.startsWith('globex/'))).toBe(true)
    expect(page).toMatchObject({ next: 6, head: 6, more: false })
  })

  it('pulls page by page through a busy other tenant, reading only the principal\'s scope', async () => {
    const { backend } = await setup()
    const { server, url, reads } = await serve(backend(), true)
    servers.push(server)
    await pushNotes(url, tokens.bob, 'globex', 'g', 2)
    await pushNotes(url, tokens.alice, 'acme', 'busy', 400)
    await pushNotes(url, tokens.bob, 'globex', 'g', 3)
    reads.length = 0
    const first = await pull(url, tokens.bob, 0, 4)
    expect(first.events.map((e) => e.seq)).toEqual([1, 2, 403, 404])
    expect(first).toMatchObject({ next: 404, more: true })
    const second = await pull(url, tokens.bob, first.next, 4)
    expect(second.events.map((e) => e.seq)).toEqual([405])
    expect(second).toMatchObject({ next: 405, head: 405, more: false })
    expect(reads).toHaveLength(5)
  })

  it('keeps canRead deciding within a scope', async () => {
    const { backend } = await setup()
    // In acme, the list "secret" is for alice only.
    const { server, url } = await serve(backend(), true, (principal, stream) => stream !== 'acme/list-secret' || (principal as TestPrincipal).user === 'alice')
    servers.push(server)
    await pushNotes(url, tokens.alice, 'acme', 'secret', 2)
    await pushNotes(url, tokens.alice, 'acme', 'open', 1)
    expect((await pull(url, tokens.carol)).events.map((e) => e.stream)).toEqual(['acme/list-open'])
    expect((await pull(url, tokens.alice)).events).toHaveLength(3)
  })

  it('sends live updates of the principal\'s scope only', async () => {
    const { backend } = await setup()
    const { server, url, reads } = await serve(backend(), true)
    servers.push(server)
    const seen: EventEnvelope[] = []
    const sub = clientFor(url, tokens.bob).subscribe(0, { events: (events) => void seen.push(...events) })
    try {
      await eventually(() => expect(sub.status).toBe('live'), 'the live socket')
      reads.length = 0
      await pushNotes(url, tokens.alice, 'acme', 'a', 20)
      await pushNotes(url, tokens.bob, 'globex', 'b', 2)
      await eventually(() => expect(seen.map((e) => e.stream)).toEqual(['globex/list-b', 'globex/list-b']), 'globex events')
      // The pushes' own answers ask canRead about their events; the live fan-out asks only about globex's.
      expect(reads.filter((stream) => stream.startsWith('acme/'))).toHaveLength(20)
    } finally {
      sub.close()
    }
  })
}

describe('scopes on SQLite', () => {
  const dir = tempDir('scopes')
  afterAll(() => dir.remove())
  let files = 0
  scopesSuite(async () => {
    const path = `${dir.path}/scopes-${++files}.sqlite`
    return {
      backend: () => sqliteStorage({ path }),
      stored: async () => {
        const db = new Database(path, { readonly: true })
        try {
          return db.prepare('SELECT stream, scope FROM chronicle_events ORDER BY seq').all() as { stream: string; scope: string | null }[]
        } finally {
          db.close()
        }
      },
    }
  })
})

describe('scopes on PostgreSQL', () => {
  let cluster: PostgresCluster
  beforeAll(async () => {
    cluster = await startPostgres()
  })
  afterAll(() => cluster?.stop())
  let databases = 0
  scopesSuite(async () => {
    const connectionString = await cluster.createDatabase(`scopes_${++databases}`)
    return {
      backend: () => postgresStorage({ connectionString }),
      stored: async () => {
        const client = new Client({ connectionString })
        await client.connect()
        try {
          return (await client.query<{ stream: string; scope: string | null }>('SELECT stream, scope FROM chronicle_events ORDER BY seq')).rows
        } finally {
          await client.end()
        }
      },
    }
  })
})
