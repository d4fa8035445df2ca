// PostgreSQL's schema versions: a version table, migrations applied in order at open (also to a
// database from before the table), and a typed refusal of a database written by newer code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client } from 'pg'
import { isChronicleError } from '@chronicle/core'
import { postgresStorage } from '../storage/postgres'
import { postgresSchemaVersion } from '../storage/postgresSchema'
import { startPostgres, type PostgresCluster } from './postgresCluster'

let cluster: PostgresCluster
beforeAll(async () => {
  cluster = await startPostgres()
})
afterAll(() => cluster?.stop())

let databases = 0
async function database(): Promise<{ url: string; sql: (text: string) => Promise<Record<string, unknown>[]> }> {
  const url = await cluster.createDatabase(`schema_${++databases}`)
  return {
    url,
    async sql(text) {
      const client = new Client({ connectionString: url })
      await client.connect()
      try {
        return (await client.query(text)).rows as Record<string, unknown>[]
      } finally {
        await client.end()
      }
    },
  }
}

const versions = async (sql: (text: string) => Promise<Record<string, unknown>[]>) => (await sql('SELECT version FROM chronicle_schema ORDER BY version')).map((r) => r.version)
const allVersions = Array.from({ length: postgresSchemaVersion }, (_, i) => i + 1)

describe('PostgreSQL schema versions', () => {
  it('creates a fresh database at the newest version, recording every migration once, also when processes open it at once', async () => {
    const { url, sql } = await database()
    const logs = await Promise.all([1, 2, 3].map(() => postgresStorage({ connectionString: url }).open('fresh')))
    for (const log of logs) log.close()
    expect(await versions(sql)).toEqual(allVersions)
  })

  it('brings a database from before the version table up to date, keeping its events and commands', async () => {
    const { url, sql } = await database()
    // What the first releases created: no version table, no fingerprint column.
    await sql(`
      CREATE TABLE chronicle_events (log text NOT NULL, seq bigint NOT NULL, id text NOT NULL, stream text NOT NULL, version integer NOT NULL,
        type text NOT NULL, schema_version integer NOT NULL, payload json NOT NULL, meta json NOT NULL, PRIMARY KEY (log, seq), UNIQUE (log, stream, version));
      CREATE TABLE chronicle_commands (log text NOT NULL, command_id text NOT NULL, position bigint NOT NULL, count integer NOT NULL, PRIMARY KEY (log, command_id));
      CREATE TABLE chronicle_checkpoints (log text NOT NULL, name text NOT NULL, version integer NOT NULL, position bigint NOT NULL, state json NOT NULL, saved_at double precision NOT NULL, PRIMARY KEY (log, name));
      INSERT INTO chronicle_events VALUES ('old', 1, 'e1', 's', 1, 'T', 1, '{}', '{"commandId":"c1","causationId":"c1","correlationId":"c1","at":1,"origin":"o"}');
      INSERT INTO chronicle_commands VALUES ('old', 'c1', 1, 1);
    `)
    const log = await postgresStorage({ connectionString: url }).open('old')
    try {
      expect(await versions(sql)).toEqual(allVersions)
      expect(await log.findCommand('c1')).toEqual({ position: 1 })
      expect((await log.readLog(0)).map((e) => e.id)).toEqual(['e1'])
      const [outcome] = await log.append([{ commandId: 'c2', stream: 's', expectedVersion: 1, idempotent: true, fingerprint: 'f', events: [{ id: 'e2', stream: 's', version: 2, type: 'T', schemaVersion: 1, payload: {}, meta: { commandId: 'c2', causationId: 'c2', correlationId: 'c2', at: 2, origin: 'o' } }] }])
      expect(outcome).toMatchObject({ status: 'ok' })
      expect(await log.findCommand('c2')).toEqual({ position: 2, fingerprint: 'f' })
    } finally {
      log.close()
    }
  })

  it('refuses a database written by newer code with StorageError version-change, and changes nothing', async () => {
    const { url, sql } = await database()
    await sql(`CREATE TABLE chronicle_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now()); INSERT INTO chronicle_schema (version) VALUES (${postgresSchemaVersion + 1})`)
    const error = await postgresStorage({ connectionString: url })
      .open('newer')
      .catch((e: unknown) => e)
    expect(isChronicleError(error, 'StorageError') && error.code).toBe('version-change')
    expect(String((error as Error).message)).toContain(`schema ${postgresSchemaVersion + 1}`)
    expect(await sql(`SELECT to_regclass('chronicle_events') AS t`)).toEqual([{ t: null }])
    expect(await versions(sql)).toEqual([postgresSchemaVersion + 1])
  })
})
