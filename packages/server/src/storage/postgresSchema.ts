import type { Pool } from 'pg'
import { StorageError } from '@chronicle/core'
import { lockNamespace } from './postgresAppend'

/** The argument types of chronicle_append_at_once (its identity, for DROP FUNCTION). */
const signature = 'text, integer, integer, text, text[], integer[], text[], bigint[], text[], text[], integer[], text[], integer[], text[], text[], text[], text[], bigint[], integer[], text[]'

/**
 * `chronicle_append_at_once`: takes the log's lock; when every stream is at the version the batch
 * expects and none of its idempotent commandIds is recorded, inserts the batch's events and command
 * records at the head (the rows as arrays, seqs and positions counted from 0), NOTIFYs, and answers
 * `{ head }`; else writes nothing and answers `{ moved: [[stream, actual version], ...], recorded }`.
 */
const appendAtOnceFunction = `
      CREATE FUNCTION chronicle_append_at_once(
        p_log text, p_lock_ns integer, p_lock_key integer, p_channel text, p_streams text[], p_expected integer[], p_ids text[],
        e_seq bigint[], e_id text[], e_stream text[], e_version integer[], e_type text[], e_schema integer[], e_payload text[], e_meta text[], e_scope text[],
        c_id text[], c_position bigint[], c_count integer[], c_fingerprint text[]
      ) RETURNS json LANGUAGE plpgsql VOLATILE AS $$
      DECLARE h bigint; moved json; recorded boolean;
      BEGIN
        PERFORM pg_advisory_xact_lock(p_lock_ns, p_lock_key);
        SELECT json_agg(json_build_array(m.stream, m.actual)) INTO moved FROM (
          SELECT x.stream, coalesce((SELECT e.version FROM chronicle_events e WHERE e.log = p_log AND e.stream = x.stream ORDER BY e.version DESC LIMIT 1), 0) AS actual, x.version
          FROM unnest(p_streams, p_expected) AS x(stream, version)) AS m
        WHERE m.actual <> m.version;
        recorded := EXISTS (SELECT 1 FROM chronicle_commands c WHERE c.log = p_log AND c.command_id = ANY (p_ids));
        IF moved IS NOT NULL OR recorded THEN
          RETURN json_build_object('moved', coalesce(moved, '[]'::json), 'recorded', recorded);
        END IF;
        SELECT coalesce(max(seq), 0) INTO h FROM chronicle_events WHERE log = p_log;
        INSERT INTO chronicle_events (log, seq, id, stream, version, type, schema_version, payload, meta, scope)
          SELECT p_log, h + r.seq, r.id, r.stream, r.version, r.type, r.schema_version, r.payload::json, r.meta::json, r.scope
          FROM unnest(e_seq, e_id, e_stream, e_version, e_type, e_schema, e_payload, e_meta, e_scope) AS r(seq, id, stream, version, type, schema_version, payload, meta, scope);
        INSERT INTO chronicle_commands (log, command_id, position, count, fingerprint)
          SELECT p_log, r.id, h + r.position, r.count, r.fingerprint FROM unnest(c_id, c_position, c_count, c_fingerprint) AS r(id, position, count, fingerprint)
          ON CONFLICT DO NOTHING;
        IF coalesce(array_length(e_seq, 1), 0) > 0 THEN
          PERFORM pg_notify(p_channel, json_build_object('log', p_log, 'head', h + array_length(e_seq, 1))::text);
        END IF;
        RETURN json_build_object('head', h);
      END
      $$;`

/**
 * The table layout's migrations, in order; `chronicle_schema` records each one applied. Databases
 * from before the version table hold version 1 or 2 already: every step is written to be a no-op
 * there (IF NOT EXISTS), so they are brought up to date and recorded like any other.
 */
const migrations: readonly { readonly version: number; readonly sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE IF NOT EXISTS chronicle_events (
        log text NOT NULL, seq bigint NOT NULL, id text NOT NULL, stream text NOT NULL, version integer NOT NULL,
        type text NOT NULL, schema_version integer NOT NULL, payload json NOT NULL, meta json NOT NULL,
        PRIMARY KEY (log, seq), UNIQUE (log, stream, version)
      );
      CREATE TABLE IF NOT EXISTS chronicle_commands (
        log text NOT NULL, command_id text NOT NULL, position bigint NOT NULL, count integer NOT NULL,
        PRIMARY KEY (log, command_id)
      );
      CREATE TABLE IF NOT EXISTS chronicle_checkpoints (
        log text NOT NULL, name text NOT NULL, version integer NOT NULL, position bigint NOT NULL, state json NOT NULL, saved_at double precision NOT NULL,
        PRIMARY KEY (log, name)
      );`,
  },
  // Commands remember what they asked for; rows from before keep NULL and repeat as duplicates.
  { version: 2, sql: 'ALTER TABLE chronicle_commands ADD COLUMN IF NOT EXISTS fingerprint text' },
  // Each event's scope (tenant), for pulls filtered by the database; filled in when a log is opened with scopeOf.
  {
    version: 3,
    sql: `
      ALTER TABLE chronicle_events ADD COLUMN IF NOT EXISTS scope text;
      CREATE INDEX IF NOT EXISTS chronicle_events_scope ON chronicle_events (log, scope, seq);`,
  },
  // Rate limits every server process shares: a token bucket per key (postgresRateLimits.ts).
  {
    version: 4,
    sql: `
      CREATE UNLOGGED TABLE IF NOT EXISTS chronicle_rate_limits (
        log text NOT NULL, key text NOT NULL, tokens double precision NOT NULL, at double precision NOT NULL, taken boolean NOT NULL,
        PRIMARY KEY (log, key)
      );`,
  },
  // An append batch in one round trip when nothing stands in its way (postgresAppend.ts,
  // appendAtOnce). A function, so that its reads take their snapshot after the lock is held.
  // Version 6 replaces version 5's, which answered only whether it wrote, not which streams moved.
  { version: 5, sql: appendAtOnceFunction },
  { version: 6, sql: `DROP FUNCTION chronicle_append_at_once(${signature});\n${appendAtOnceFunction}` },
]

/** The newest layout this code knows. */
export const postgresSchemaVersion = migrations.at(-1)!.version

/**
 * Brings the database's tables to `postgresSchemaVersion`, applying the missing migrations in order
 * in one transaction (under an advisory lock: several processes may start at once). A database
 * written by newer code is refused with StorageError `version-change`, and left as it is.
 */
export async function migrate(pool: Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    // CREATE ... IF NOT EXISTS alone races in the catalog when processes start together.
    await client.query('SELECT pg_advisory_xact_lock($1, 0)', [lockNamespace])
    await client.query('CREATE TABLE IF NOT EXISTS chronicle_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())')
    const current = Number((await client.query<{ version: number | null }>('SELECT max(version) AS version FROM chronicle_schema')).rows[0]?.version ?? 0)
    if (current > postgresSchemaVersion) {
      throw new StorageError(
        'version-change',
        `The PostgreSQL database was written by a newer @chronicle/server (schema ${current}, this one knows up to ${postgresSchemaVersion}); upgrade the server. Nothing was changed.`,
      )
    }
    for (const migration of migrations) {
      if (migration.version <= current) continue
      await client.query(migration.sql)
      await client.query('INSERT INTO chronicle_schema (version) VALUES ($1)', [migration.version])
    }
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

/**
 * Gives the events stored without a scope (before scopes, or by a server without `scopeOf`) the
 * scope of their stream: one read of those streams, one UPDATE.
 */
export async function fillScopes(pool: Pool, log: string, scopeOf: (stream: string) => string | null): Promise<void> {
  const streams = await pool.query<{ stream: string }>('SELECT DISTINCT stream FROM chronicle_events WHERE log = $1 AND scope IS NULL', [log])
  if (streams.rows.length === 0) return
  const scopes = streams.rows.map(({ stream }) => ({ stream, scope: scopeOf(stream) ?? '' }))
  await pool.query(
    `UPDATE chronicle_events AS e SET scope = m.scope FROM json_to_recordset($2::json) AS m(stream text, scope text)
     WHERE e.log = $1 AND e.stream = m.stream AND e.scope IS NULL`,
    [log, JSON.stringify(scopes)],
  )
}
