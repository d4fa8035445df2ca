// `pnpm bench:server`: the sync server under load from autocannon (a load generator nobody here
// wrote), against a bare Node handler writing the same rows, on SQLite and on PostgreSQL, with one
// and several server processes. Every acknowledged command is looked up in the database
// afterwards: each must be there exactly once. See docs/sync-server.md ("Load") for the targets.
//
//   pnpm bench:server [--duration 5] [--only <text>] [--seed 15000] [--json <file>]
import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import Database from 'better-sqlite3'
import { Client } from 'pg'
/** The test domain's token of alice (src/__tests__/domain.ts, not imported: it brings @chronicle/core). */
const tokens = { alice: 'token-alice' }
import { buildTestServer, serverRoot } from '../src/__tests__/globalSetup'
import { startPostgres, type PostgresCluster } from '../src/__tests__/postgresCluster'
import { startServer, tempDir, type ServerProcess, type StoreArgs } from '../src/__tests__/serverProcess'

/** One measured run. */
interface Scenario {
  readonly name: string
  readonly store: 'sqlite' | 'postgres'
  readonly target: 'server' | 'bare'
  readonly op: 'push' | 'pull'
  readonly connections: number
  readonly processes: number
  /** Commands per push. */
  readonly batch: number
}

interface Outcome {
  readonly scenario: Scenario
  readonly requestsPerSecond: number
  readonly commandsPerSecond: number
  readonly p50: number
  readonly p99: number
  readonly errors: number
  /** Pushes answered without every command acknowledged (`incomplete`, or not 200). */
  readonly unacknowledged: number
  /** Per process: the smallest share of its answered pushes acknowledged in any 5 s window. */
  readonly worstWindowShare: readonly number[]
  readonly acknowledged: number
  /** Acknowledged commands missing from the database, or stored more than once. */
  readonly lost: number
  readonly doubled: number
}

const buildDir = resolve(serverRoot, '.bench-build')
/** Server processes running now: stopped with the benchmark, also when it is interrupted. */
const running = new Set<ServerProcess>()

function scenarios(): Scenario[] {
  const list: Scenario[] = []
  for (const store of ['sqlite', 'postgres'] as const) {
    for (const connections of [10, 50]) {
      list.push({ name: `${store} bare push c${connections}`, store, target: 'bare', op: 'push', connections, processes: 1, batch: 1 })
      list.push({ name: `${store} server push c${connections}`, store, target: 'server', op: 'push', connections, processes: 1, batch: 1 })
      list.push({ name: `${store} server pull c${connections}`, store, target: 'server', op: 'pull', connections, processes: 1, batch: 1 })
      // One SQLite file has one server process; several processes share a PostgreSQL database.
      if (store === 'postgres') list.push({ name: `${store} server push c${connections} x2`, store, target: 'server', op: 'push', connections, processes: 2, batch: 1 })
    }
    list.push({ name: `${store} bare push batch100 c10`, store, target: 'bare', op: 'push', connections: 10, processes: 1, batch: 100 })
    list.push({ name: `${store} server push batch100 c10`, store, target: 'server', op: 'push', connections: 10, processes: 1, batch: 100 })
    if (store === 'postgres') list.push({ name: `${store} server push c50 x4`, store, target: 'server', op: 'push', connections: 50, processes: 4, batch: 1 })
  }
  return list
}

let sequence = 0
/** A push of `batch` notes on the one hot stream (a busy board), with fresh commandIds. */
function pushBody(batch: number): { body: string; ids: string[] } {
  const ids: string[] = []
  const commands = Array.from({ length: batch }, () => {
    const commandId = `b${process.pid}-${(++sequence).toString(36)}`
    ids.push(commandId)
    return { commandId, type: 'appendNote', payload: { tenant: 'acme', listId: 'hot', text: 'load' }, at: Date.now() }
  })
  return { body: JSON.stringify({ protocol: 2, clientId: 'bench', lastConfirmed: 0, commands }), ids }
}

/** Fills the hot stream with `count` events, 500 a push, so the board is as busy as a real one. */
async function seed(url: string, count: number) {
  for (let done = 0; done < count; done += 500) {
    const { body } = pushBody(Math.min(500, count - done))
    const response = await fetch(`${url}/v1/push`, { method: 'POST', body, headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' } })
    const answer = (await response.json()) as { results?: { status: string }[] }
    if (!answer.results?.every((r) => r.status === 'ok')) throw new Error(`Seeding failed: ${JSON.stringify(answer).slice(0, 300)}`)
  }
}

/** commandIds in the database, with how often each is stored. */
async function storedIds(store: StoreArgs, target: Scenario['target']): Promise<Map<string, number>> {
  const sql = target === 'bare' ? 'SELECT command_id AS id FROM bare_events' : `SELECT meta->>'commandId' AS id FROM chronicle_events`
  let rows: { id: string }[]
  if ('db' in store) {
    const db = new Database(store.db, { readonly: true })
    rows = db.prepare(target === 'bare' ? sql : `SELECT json_extract(meta, '$.commandId') AS id FROM chronicle_events`).all() as { id: string }[]
    db.close()
  } else {
    const client = new Client({ connectionString: store.postgres })
    await client.connect()
    rows = (await client.query<{ id: string }>(sql)).rows
    await client.end()
  }
  const counts = new Map<string, number>()
  for (const { id } of rows) counts.set(id, (counts.get(id) ?? 0) + 1)
  return counts
}

async function run(scenario: Scenario, options: { duration: number; seed: number; cluster: PostgresCluster; dir: string }): Promise<Outcome> {
  const id = scenario.name.replace(/\W+/g, '_')
  const store: StoreArgs = scenario.store === 'sqlite' ? { db: resolve(options.dir, `${id}.sqlite`) } : { postgres: await options.cluster.createDatabase(id) }
  const servers: ServerProcess[] = []
  try {
    const serverArgs = { cli: resolve(buildDir, scenario.target === 'bare' ? 'bare.js' : 'cli.js'), domain: resolve(buildDir, 'domain.js'), args: ['--max-connections-per-client', '0'] }
    for (let i = 0; i < scenario.processes; i++) {
      const server = await startServer(store, serverArgs)
      servers.push(server)
      running.add(server)
    }
    if (scenario.target === 'server') await seed(servers[0]!.url, options.seed)

    const started = Date.now()
    const acknowledged: string[] = []
    let unacknowledged = 0
    const windows = servers.map(() => new Map<number, { answered: number; ok: number }>())
    const runs = servers.map((server, index) => {
      const connections = Math.max(1, Math.round(scenario.connections / servers.length))
      const headers = { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' }
      const request =
        scenario.op === 'pull'
          ? { method: 'GET', path: '/v1/events?after=0&limit=100&protocol=2', headers }
          : {
              method: 'POST',
              path: '/v1/push',
              headers,
              setupRequest: (req: { body?: string }, context: Record<string, unknown>) => {
                const { body, ids } = pushBody(scenario.batch)
                context.ids = ids
                return { ...req, body }
              },
              onResponse: (status: number, body: string, context: Record<string, unknown>) => {
                const window = Math.floor((Date.now() - started) / 5000)
                const counts = windows[index]!.get(window) ?? { answered: 0, ok: 0 }
                windows[index]!.set(window, counts)
                counts.answered++
                const results = status === 200 ? ((JSON.parse(body) as { results?: { commandId: string; status: string }[] }).results ?? []) : []
                const ok = results.filter((r) => r.status === 'ok').map((r) => r.commandId)
                acknowledged.push(...ok)
                if (ok.length === (context.ids as string[]).length) counts.ok++
                else unacknowledged++
              },
            }
      return autocannon({ url: server.url, connections, duration: options.duration, timeout: 30, requests: [request] })
    })
    const results = await Promise.all(runs)

    const stored = scenario.op === 'push' ? await storedIds(store, scenario.target) : new Map<string, number>()
    const lost = acknowledged.filter((commandId) => !stored.has(commandId)).length
    const doubled = [...stored.values()].filter((count) => count > 1).length
    const requests = results.reduce((sum, r) => sum + r.requests.total, 0)
    const fullWindows = Math.floor((options.duration * 1000) / 5000)
    return {
      scenario,
      requestsPerSecond: requests / options.duration,
      commandsPerSecond: scenario.op === 'push' ? acknowledged.length / options.duration : 0,
      p50: Math.max(...results.map((r) => r.latency.p50)),
      p99: Math.max(...results.map((r) => r.latency.p99)),
      errors: results.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
      unacknowledged,
      worstWindowShare: windows.map((perWindow) => {
        const shares = [...perWindow].filter(([window]) => window < fullWindows).map(([, c]) => (c.answered === 0 ? 0 : c.ok / c.answered))
        return shares.length === 0 ? Number.NaN : Math.min(...shares)
      }),
      acknowledged: acknowledged.length,
      lost,
      doubled,
    }
  } finally {
    await Promise.all(servers.map((server) => server.kill('SIGTERM')))
    for (const server of servers) running.delete(server)
  }
}

function table(outcomes: readonly Outcome[]): string {
  const byName = new Map(outcomes.map((o) => [o.scenario.name, o]))
  const lines = ['| scenario | req/s | commands/s | vs bare | p50 ms | p99 ms | not acknowledged | worst 5 s share per process | lost / doubled |', '|---|---|---|---|---|---|---|---|---|']
  for (const o of outcomes) {
    const s = o.scenario
    const bare = s.target === 'server' && s.op === 'push' ? byName.get(`${s.store} bare push${s.batch > 1 ? ` batch${s.batch}` : ''} c${s.connections}`) : undefined
    const ratio = bare ? (o.commandsPerSecond / bare.commandsPerSecond).toFixed(2) + 'x' : ''
    const shares = s.processes > 1 ? o.worstWindowShare.map((share) => share.toFixed(2)).join(' / ') : ''
    lines.push(
      `| ${s.name} | ${o.requestsPerSecond.toFixed(0)} | ${s.op === 'push' ? o.commandsPerSecond.toFixed(0) : ''} | ${ratio} | ${o.p50} | ${o.p99} | ${s.op === 'push' ? o.unacknowledged : ''} | ${shares} | ${s.op === 'push' ? `${o.lost} / ${o.doubled}` : ''} |`,
    )
  }
  return lines.join('\n')
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { duration: { type: 'string', default: '5' }, only: { type: 'string' }, seed: { type: 'string', default: '15000' }, json: { type: 'string' } } })
  const chosen = scenarios().filter((s) => !values.only || values.only.split(',').some((part) => s.name.includes(part.trim())))
  const dir = tempDir('bench-server')
  mkdirSync(buildDir, { recursive: true })
  await buildTestServer(buildDir, { bare: resolve(serverRoot, 'bench/bare.ts') })
  const cluster = await startPostgres()
  // Interrupted (Ctrl+C, a timeout): leave no server process or PostgreSQL cluster behind.
  const interrupted = () => {
    for (const server of running) void server.kill('SIGKILL')
    cluster.stop()
    dir.remove()
    process.exit(130)
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  const outcomes: Outcome[] = []
  try {
    for (const scenario of chosen) {
      console.log(`… ${scenario.name} (${new Date().toISOString().slice(11, 19)})`)
      outcomes.push(await run(scenario, { duration: Number(values.duration), seed: Number(values.seed), cluster, dir: dir.path }))
    }
  } finally {
    process.off('SIGINT', interrupted)
    process.off('SIGTERM', interrupted)
    cluster.stop()
    dir.remove()
  }
  const report = table(outcomes)
  console.log(`\n${report}\n\n(${values.duration} s per run, hot stream seeded with ${values.seed} events; loopback, load generator in the same process)`)
  if (values.json) writeFileSync(values.json, JSON.stringify(outcomes, null, 2))
  const broken = outcomes.filter((o) => o.lost > 0 || o.doubled > 0)
  if (broken.length > 0) console.error(`Acknowledged commands lost or doubled in: ${broken.map((o) => o.scenario.name).join(', ')}`)
  return broken.length > 0 ? 1 : 0
}
