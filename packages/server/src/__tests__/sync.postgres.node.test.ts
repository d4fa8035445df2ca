import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client } from 'pg'
import type { EventEnvelope } from '@chronicle/core'
import type { CommandAccepted } from '@chronicle/sync'
import { postgresStorage } from '../storage/postgres'
import { tokens } from './domain'
import { clientFor, command, eventually, startServer, storedEvents } from './harness'
import { startPostgres, type PostgresCluster } from './postgresCluster'
import { storageContract } from './storageContract'
import { syncSuite } from './syncSuite'

let cluster: PostgresCluster
beforeAll(async () => {
  cluster = await startPostgres()
})
afterAll(() => cluster?.stop())

let databases = 0
const newDatabase = () => cluster.createDatabase(`test_${++databases}`)

describe('postgresStorage', () => {
  storageContract(async () => {
    const connectionString = await newDatabase()
    return { backend: postgresStorage({ connectionString }), reopen: () => postgresStorage({ connectionString }) }
  })
})

describe('postgresStorage behind a transaction-mode pooler', () => {
  it('LISTENs on listenConnectionString, and queries through the pool', async () => {
    const connectionString = await newDatabase()
    const listenConnectionString = `${connectionString}?application_name=chronicle-listen`
    const log = await postgresStorage({ connectionString, listenConnectionString }).open('pooled')
    const admin = new Client({ connectionString })
    await admin.connect()
    try {
      const listening = () => admin.query<{ name: string }>(`SELECT application_name AS name FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND datname = current_database()`)
      await eventually(async () => expect((await listening()).rows.map((r) => r.name)).toEqual(['chronicle-listen']), 'the LISTEN connection')
      const heads: number[] = []
      log.onAppended((head) => heads.push(head))
      // Another process's append reaches this log only through the LISTEN connection.
      const other = await postgresStorage({ connectionString }).open('pooled')
      await other.append([{ commandId: 'c1', stream: 's', expectedVersion: 0, idempotent: true, events: [{ id: 'e1', stream: 's', version: 1, type: 'T', schemaVersion: 1, payload: {}, meta: { commandId: 'c1', causationId: 'c1', correlationId: 'c1', at: 1, origin: 'other' } }] }])
      await eventually(() => expect(heads).toContain(1), 'the notification')
      other.close()
    } finally {
      await admin.end()
      log.close()
    }
  })
})

describe('sync server on PostgreSQL', () => {
  syncSuite(async () => ({ postgres: await newDatabase() }))

  it('runs two server processes on one database; a client of each sees the other one\'s events live', async () => {
    const store = { postgres: await newDatabase() }
    const [one, two] = await Promise.all([startServer(store), startServer(store)])
    try {
      const alice = clientFor(one!.url, tokens.alice)
      const carol = clientFor(two!.url, tokens.carol)
      const seenByAlice: EventEnvelope[] = []
      const seenByCarol: EventEnvelope[] = []
      const options = { pollInterval: 60_000, reconnectDelay: 50 }
      const aliceLive = alice.subscribe(0, { events: (events) => void seenByAlice.push(...events) }, options)
      const carolLive = carol.subscribe(0, { events: (events) => void seenByCarol.push(...events) }, options)
      await eventually(() => expect([aliceLive.status, carolLive.status]).toEqual(['live', 'live']), 'both live sockets')

      // Both servers write to the same stream at once: the loser of each race re-decides on the
      // winner's events (core's bounded retry), across processes.
      const fromAlice = Array.from({ length: 20 }, (_, i) => command('appendNote', { tenant: 'acme', listId: 'shared', text: `alice ${i}` }))
      const fromCarol = Array.from({ length: 20 }, (_, i) => command('appendNote', { tenant: 'acme', listId: 'shared', text: `carol ${i}` }))
      const pushes = await Promise.all([
        ...fromAlice.map((c) => alice.push({ clientId: 'alice', lastConfirmed: 0, commands: [c] })),
        ...fromCarol.map((c) => carol.push({ clientId: 'carol', lastConfirmed: 0, commands: [c] })),
      ])
      expect(pushes.every((p) => p.results[0]?.status === 'ok')).toBe(true)

      // The same command pushed to both servers at once runs once.
      const twice = command('appendNote', { tenant: 'acme', listId: 'shared', text: 'pushed to both' })
      const [viaOne, viaTwo] = await Promise.all([alice.push({ clientId: 'a', lastConfirmed: 0, commands: [twice] }), carol.push({ clientId: 'c', lastConfirmed: 0, commands: [twice] })])
      const answers = [viaOne!.results[0], viaTwo!.results[0]] as CommandAccepted[]
      expect(answers.map((a) => a.position)).toEqual([answers[0]!.position, answers[0]!.position])
      expect(answers.filter((a) => a.duplicate)).toHaveLength(1)

      const stored = await storedEvents(store)
      expect(stored).toHaveLength(41)
      expect(stored.filter((e) => e.stream === 'acme/list-shared').map((e) => e.version)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1))
      const all = stored.map((e) => e.seq)
      await eventually(() => expect(seenByAlice.map((e) => e.seq)).toEqual(all), 'alice hearing of every event')
      await eventually(() => expect(seenByCarol.map((e) => e.seq)).toEqual(all), 'carol hearing of every event')
      // Each heard the other server's events over its own socket, not by polling.
      expect([aliceLive.status, carolLive.status]).toEqual(['live', 'live'])
      expect(seenByAlice.filter((e) => (e.payload as { text: string }).text.startsWith('carol '))).toHaveLength(20)
      aliceLive.close()
      carolLive.close()
    } finally {
      await Promise.all([one!.kill('SIGTERM'), two!.kill('SIGTERM')])
    }
  })

  it('keeps live updates flowing when the LISTEN connection is dropped', async () => {
    const store = { postgres: await newDatabase() }
    const [one, two] = await Promise.all([startServer(store), startServer(store)])
    const admin = new Client({ connectionString: store.postgres })
    await admin.connect()
    try {
      const seen: EventEnvelope[] = []
      const live = clientFor(one!.url, tokens.alice).subscribe(0, { events: (events) => void seen.push(...events) }, { pollInterval: 60_000, reconnectDelay: 50 })
      await eventually(() => expect(live.status).toBe('live'), 'live')
      const listeners = async () => (await admin.query(`SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`)).rows as { pid: number }[]
      await eventually(async () => expect(await listeners()).toHaveLength(2), 'both servers listening')
      for (let round = 1; round <= 2; round++) {
        const before = (await listeners()).map((r) => r.pid)
        await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before])
        await clientFor(two!.url, tokens.carol).push({ clientId: 'c', lastConfirmed: 0, commands: [command('appendNote', { tenant: 'acme', listId: '1', text: `after drop ${round}` })] })
        await eventually(() => expect(seen).toHaveLength(round), 'the event from the other server')
        await eventually(async () => expect((await listeners()).filter((r) => !before.includes(r.pid))).toHaveLength(2), 'both listeners back')
      }
      expect(live.status).toBe('live')
      live.close()
    } finally {
      await admin.end()
      await Promise.all([one!.kill('SIGTERM'), two!.kill('SIGTERM')])
    }
  })
})

describe('rate limits across server processes on PostgreSQL', () => {
  it('holds the limit in sum over two processes: a principal gets one bucket, not one per process', async () => {
    const store = { postgres: await newDatabase() }
    // One command a second, a bucket of 20: pushes of 5 alternate between the processes.
    const servers = await Promise.all([0, 1].map(() => startServer(store, { args: ['--rate', '1', '--burst', '20'] })))
    try {
      const clients = servers.map((server) => clientFor(server.url, tokens.alice))
      let accepted = 0
      let refused = 0
      for (let push = 0; push < 12; push++) {
        const commands = Array.from({ length: 5 }, (_, i) => command('appendNote', { tenant: 'acme', listId: 'rate', text: `${push}.${i}` }))
        const answer = await clients[push % 2]!.push({ clientId: 'a', lastConfirmed: 0, commands }).catch((error: unknown) => error as { code?: string })
        if ('results' in answer) accepted += answer.results.length
        else if (answer.code === 'rate-limited') refused++
        else throw answer
      }
      // Per process, each would have let 20 through (40 in all). Refill adds one command a second:
      // a sixth push of 5 gets through only if the twelve pushes took more than five seconds.
      expect(accepted).toBeGreaterThanOrEqual(20)
      expect(accepted).toBeLessThanOrEqual(25)
      expect(refused).toBe(12 - accepted / 5)
      expect((await storedEvents(store)).length).toBe(accepted)
      // Another principal has a bucket of its own, on either process.
      const bob = await clientFor(servers[1]!.url, tokens.bob).push({ clientId: 'b', lastConfirmed: 0, commands: [command('appendNote', { tenant: 'globex', listId: 'rate', text: 'b' })] })
      expect(bob.results).toHaveLength(1)
    } finally {
      await Promise.all(servers.map((server) => server.kill('SIGTERM')))
    }
  })
})
