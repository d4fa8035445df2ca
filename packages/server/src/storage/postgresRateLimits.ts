import type { Pool } from 'pg'
import { waitFor, type RateLimitStore } from '../rateLimit'

/**
 * Token buckets in PostgreSQL (`chronicle_rate_limits`, an UNLOGGED table: buckets need not survive
 * a crash), so every server process on the database draws from the same bucket. One upsert per push
 * refills the bucket by the database's clock and takes the cost if it is there; the row lock of
 * ON CONFLICT DO UPDATE orders concurrent pushes of one principal. Full buckets are deleted now and
 * then (they carry no information).
 */
export function postgresRateLimits(pool: Pool, log: string): RateLimitStore {
  let lastSweep = 0
  return {
    async take(key, cost, limits) {
      const perMs = limits.commandsPerSecond / 1000
      const { rows } = await pool.query<{ tokens: number; taken: boolean; now: number }>(
        `INSERT INTO chronicle_rate_limits AS b (log, key, tokens, at, taken)
         VALUES ($1, $2, CASE WHEN $4::float8 >= $3::float8 THEN $4::float8 - $3::float8 ELSE $4::float8 END, extract(epoch FROM clock_timestamp()) * 1000, $4::float8 >= $3::float8)
         ON CONFLICT (log, key) DO UPDATE SET
           tokens = least($4::float8, b.tokens + (excluded.at - b.at) * $5::float8) - CASE WHEN least($4::float8, b.tokens + (excluded.at - b.at) * $5::float8) >= $3::float8 THEN $3::float8 ELSE 0 END,
           taken = least($4::float8, b.tokens + (excluded.at - b.at) * $5::float8) >= $3::float8,
           at = excluded.at
         RETURNING tokens, taken, at AS now`,
        [log, key, cost, limits.burst, perMs],
      )
      const { tokens, taken, now } = rows[0]!
      const fullAfter = limits.burst / perMs
      if (now - lastSweep >= fullAfter) {
        lastSweep = now
        void pool.query('DELETE FROM chronicle_rate_limits WHERE log = $1 AND at < $2', [log, now - fullAfter]).catch(() => undefined)
      }
      return taken ? 0 : waitFor(tokens, cost, limits)
    },
  }
}
