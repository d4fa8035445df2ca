import type { Pool, PoolClient } from 'pg'
import type { FoundCommand } from '@chronicle/core/storage'
import type { AppendCommand, AppendOutcome } from '@chronicle/core/storage'
import { planAppend, scopeColumn, toRow, type ServerLogOptions } from './serverStorage'

/** Namespace of the advisory locks (one per log) that order appends. */
export const lockNamespace = 0x43_68_72 // "Chr"

/** A stable 31-bit key per log name for pg_advisory_xact_lock (FNV-1a). */
export function lockKey(log: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < log.length; i++) hash = Math.imul(hash ^ log.charCodeAt(i), 0x01000193)
  return hash & 0x7fffffff
}

/** What an append reads under the lock: the log head, each stream's version, the recorded commands. */
interface Current {
  readonly head: string | null
  readonly versions: [stream: string, version: number | null][] | null
  readonly recorded: [commandId: string, position: number, fingerprint: string | null][] | null
}

/**
 * One append transaction in two round trips, whatever the batch's size. Values travel as JSON
 * literals (`escapeLiteral`) in simple-protocol queries, which may hold several statements:
 *
 * 1. `BEGIN`, the log's advisory lock, and one SELECT of the head, every stream's version and the
 *    commands already recorded;
 * 2. the plan (decided here, `planAppend`): one multi-row INSERT of the events, one of the command
 *    records, the NOTIFY, and `COMMIT`.
 *
 * An error in either aborts the transaction (later statements of the query do not run); the caller
 * rolls back.
 */
export async function appendInTransaction(
  client: PoolClient,
  log: string,
  channel: string,
  commands: readonly AppendCommand[],
  scopeOf: ServerLogOptions['scopeOf'],
): Promise<Appended> {
  const literal = (value: unknown) => client.escapeLiteral(typeof value === 'string' ? value : JSON.stringify(value))
  const L = literal(log)
  const streams = literal([...new Set(commands.map((c) => c.stream))])
  const idempotent = literal(commands.filter((c) => c.idempotent).map((c) => c.commandId))
  const reads = (await client.query(`
    BEGIN;
    SELECT pg_advisory_xact_lock(${lockNamespace}, ${lockKey(log)});
    SELECT
      (SELECT max(seq) FROM chronicle_events WHERE log = ${L}) AS head,
      (SELECT json_agg(json_build_array(s.stream, (
        SELECT version FROM chronicle_events e WHERE e.log = ${L} AND e.stream = s.stream ORDER BY version DESC LIMIT 1)))
        FROM json_array_elements_text(${streams}::json) AS s(stream)) AS versions,
      (SELECT json_agg(json_build_array(command_id, position, fingerprint)) FROM chronicle_commands
        WHERE log = ${L} AND command_id = ANY (ARRAY(SELECT json_array_elements_text(${idempotent}::json)))) AS recorded
  `)) as unknown as { rows: Current[] }[]
  const current = reads[2]!.rows[0]!
  const plan = planAppend(
    commands,
    Number(current.head ?? 0),
    new Map((current.versions ?? []).map(([stream, version]) => [stream, Number(version ?? 0)])),
    new Map((current.recorded ?? []).map(([commandId, position, fingerprint]): [string, FoundCommand] => [commandId, { position: Number(position), ...(fingerprint !== null ? { fingerprint } : {}) }])),
  )
  const last = plan.events.at(-1)?.seq
  const writes: string[] = []
  if (plan.events.length > 0) {
    const rows = plan.events.map((event) => ({ ...toRow(event), scope: scopeColumn(scopeOf, event.stream) }))
    writes.push(`INSERT INTO chronicle_events (log, seq, id, stream, version, type, schema_version, payload, meta, scope)
      SELECT ${L}, r.seq, r.id, r.stream, r.version, r.type, r.schema_version, r.payload::json, r.meta::json, r.scope
      FROM json_to_recordset(${literal(rows)}::json) AS r(seq bigint, id text, stream text, version integer, type text, schema_version integer, payload text, meta text, scope text)`)
  }
  if (plan.commands.length > 0) {
    const records = plan.commands.map((c) => ({ command_id: c.commandId, position: c.position, count: c.count, fingerprint: c.fingerprint }))
    writes.push(`INSERT INTO chronicle_commands (log, command_id, position, count, fingerprint)
      SELECT ${L}, r.command_id, r.position, r.count, r.fingerprint FROM json_to_recordset(${literal(records)}::json) AS r(command_id text, position bigint, count integer, fingerprint text)
      ON CONFLICT DO NOTHING`)
  }
  // Delivered to every listening process when (and only if) the transaction commits.
  if (last !== undefined) writes.push(`SELECT pg_notify(${literal(channel)}, ${literal({ log, head: last })})`)
  writes.push('COMMIT')
  await client.query(writes.join(';\n'))
  return { outcomes: plan.outcomes, last }
}

/** What an append transaction committed: each command's outcome, and the last seq written. */
export interface Appended {
  readonly outcomes: AppendOutcome[]
  readonly last: number | undefined
}

/**
 * The common case in one round trip: every stream is where the batch expects it and no idempotent
 * commandId of it is recorded yet. The plan is made here with seqs counted from 0; the function
 * `chronicle_append_at_once` (schema 5) takes the lock, checks both conditions and (only when they
 * hold) inserts the events and records at the head plus those seqs and sends the NOTIFY, in one
 * statement with the rows as array parameters. When they did not hold nothing was written: every
 * command conflicts when all of the batch's streams moved, else (undefined) `appendInTransaction`
 * decides command by command.
 */
export async function appendAtOnce(
  client: PoolClient,
  log: string,
  channel: string,
  commands: readonly AppendCommand[],
  scopeOf: ServerLogOptions['scopeOf'],
): Promise<Appended | undefined> {
  const expected = new Map<string, number>()
  for (const c of commands) if (!expected.has(c.stream)) expected.set(c.stream, c.expectedVersion)
  const plan = planAppend(commands, 0, expected, new Map())
  if (plan.outcomes.some((o) => o.status === 'conflict' || o.status === 'reused')) return undefined
  const rows = plan.events.map(toRow)
  const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key])
  const { rows: answer } = await client.query<{ result: { head?: number; moved?: [string, number][]; recorded?: boolean } }>(
    'SELECT chronicle_append_at_once($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) AS result',
    [
      log,
      lockNamespace,
      lockKey(log),
      channel,
      [...expected.keys()],
      [...expected.values()],
      commands.filter((c) => c.idempotent).map((c) => c.commandId),
      column('seq'),
      column('id'),
      column('stream'),
      column('version'),
      column('type'),
      column('schema_version'),
      column('payload'),
      column('meta'),
      rows.map((row) => scopeColumn(scopeOf, row.stream)),
      plan.commands.map((c) => c.commandId),
      plan.commands.map((c) => c.position),
      plan.commands.map((c) => c.count),
      plan.commands.map((c) => c.fingerprint),
    ],
  )
  const result = answer[0]!.result
  if (result.head === undefined) {
    // Every stream moved (another process wrote first; the usual loss on a hot stream): all of it
    // conflicts, as the plan would say, without deciding it again. Anything else: plan it.
    const moved = new Map(result.moved ?? [])
    if (result.recorded || !commands.every((c) => moved.has(c.stream))) return undefined
    return { outcomes: commands.map((c) => ({ status: 'conflict', actualVersion: moved.get(c.stream)! })), last: undefined }
  }
  const h = result.head
  const outcomes = plan.outcomes.map((o): AppendOutcome => {
    if (o.status === 'ok') return { status: 'ok', events: o.events.map((event) => ({ ...event, seq: event.seq + h })) }
    return o.status === 'duplicate' ? { status: 'duplicate', position: o.position + h } : o
  })
  return { outcomes, last: rows.length > 0 ? h + rows.length : undefined }
}

/**
 * Runs `work` on a pool connection in a transaction it opens itself, rolling back on failure and
 * trying again (at most `maxRetries` times in all) when `retryable` says another writer got there
 * first (a serialization failure, deadlock or unique violation): decided again on fresh reads, the
 * lost race becomes a per-command conflict outcome.
 */
export async function withRetries<T>(pool: Pool, maxRetries: number, retryable: (error: unknown) => boolean, work: (client: PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect()
    let broken: Error | undefined
    try {
      return await work(client)
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError))
      if (attempt < maxRetries && retryable(error)) continue
      throw error
    } finally {
      client.release(broken)
    }
  }
}
