import type { Pool } from 'pg'
import type { EventEnvelope } from '@chronicle/core'
import type { FoundCommand, StoredCheckpoint } from '@chronicle/core/storage'
import { fromRow } from './serverStorage'

const columns = 'seq, id, stream, version, type, schema_version, payload, meta'

/** A chronicle_commands row as `findCommand` answers it. */
const found = (row: { position: string; fingerprint: string | null }): FoundCommand => ({ position: Number(row.position), ...(row.fingerprint !== null ? { fingerprint: row.fingerprint } : {}) })

/** The PostgreSQL log's queries besides appends, each one statement through the pool. */
export function postgresReads(pool: Pool, log: string) {
  const events = async (sql: string, values: unknown[]): Promise<EventEnvelope[]> => (await pool.query(`SELECT ${columns} FROM chronicle_events WHERE log = $1 AND ${sql}`, [log, ...values])).rows.map(fromRow)
  return {
    head: async () => Number((await pool.query<{ head: string | null }>('SELECT max(seq) AS head FROM chronicle_events WHERE log = $1', [log])).rows[0]?.head ?? 0),
    readStream: (stream: string, afterVersion: number) => events('stream = $2 AND version > $3 ORDER BY version', [stream, afterVersion]),
    readLog: (after: number, range: { readonly to?: number; readonly limit?: number }) => events('seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4', [after, range.to ?? Number.MAX_SAFE_INTEGER, range.limit ?? null]),
    // Per scope, an index range of at most `limit` events (log, scope, seq); merged by seq.
    readScoped: async (after: number, range: { readonly to: number; readonly limit: number }, scopes: readonly string[]): Promise<EventEnvelope[]> =>
      (
        await pool.query(
          `SELECT e.* FROM unnest($2::text[]) AS s(scope) CROSS JOIN LATERAL (
             SELECT ${columns} FROM chronicle_events WHERE log = $1 AND scope = s.scope AND seq > $3 AND seq <= $4 ORDER BY seq LIMIT $5) AS e
           ORDER BY e.seq LIMIT $5`,
          [log, scopes, after, range.to, range.limit],
        )
      ).rows.map(fromRow),
    async readCommand(commandId: string) {
      const rows = await pool.query<{ position: string; count: number }>('SELECT position, count FROM chronicle_commands WHERE log = $1 AND command_id = $2', [log, commandId])
      const row = rows.rows[0]
      if (!row || row.count === 0) return []
      const position = Number(row.position)
      return events('seq > $2 AND seq <= $3 ORDER BY seq', [position - row.count, position])
    },
    async findCommands(commandIds: readonly string[]) {
      const rows = await pool.query<{ command_id: string; position: string; fingerprint: string | null }>('SELECT command_id, position, fingerprint FROM chronicle_commands WHERE log = $1 AND command_id = ANY($2)', [log, commandIds])
      return new Map(rows.rows.map((row) => [row.command_id, found(row)]))
    },
    async loadCheckpoints(): Promise<StoredCheckpoint[]> {
      const rows = await pool.query<{ name: string; version: number; position: string; state: unknown; saved_at: number }>('SELECT name, version, position, state, saved_at FROM chronicle_checkpoints WHERE log = $1', [log])
      return rows.rows.map((r) => ({ name: r.name, version: r.version, position: Number(r.position), state: r.state, savedAt: r.saved_at }))
    },
    async saveCheckpoints(checkpoints: readonly StoredCheckpoint[]) {
      if (checkpoints.length === 0) return
      await pool.query(
        `INSERT INTO chronicle_checkpoints (log, name, version, position, state, saved_at)
         SELECT $1, r.name, r.version, r.position, r.state::json, r.saved_at FROM json_to_recordset($2::json) AS r(name text, version integer, position bigint, state text, saved_at double precision)
         ON CONFLICT (log, name) DO UPDATE SET version = excluded.version, position = excluded.position, state = excluded.state, saved_at = excluded.saved_at`,
        [log, JSON.stringify(checkpoints.map((c) => ({ name: c.name, version: c.version, position: c.position, state: JSON.stringify(c.state), saved_at: c.savedAt })))],
      )
    },
    deleteCheckpoint: async (name: string) => void (await pool.query('DELETE FROM chronicle_checkpoints WHERE log = $1 AND name = $2', [log, name])),
  }
}
