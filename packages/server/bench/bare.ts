// The bare handler the server is measured against: a plain Node HTTP server that reads and parses
// the same push JSON and writes one row per command, acknowledging after the write (SQLite in WAL
// mode with the server's default synchronous = FULL, or one autocommitted INSERT in PostgreSQL).
// No validation, no authorization, no business rules, no idempotency: the floor of what a push
// costs in Node and the database. Run as a process of its own: `node bare.js --db f | --postgres url`.
import { createServer } from 'node:http'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { Pool } from 'pg'

const { values: args } = parseArgs({ options: { db: { type: 'string' }, postgres: { type: 'string' }, port: { type: 'string', default: '0' } }, strict: false })

type Row = [commandId: string, stream: string, payload: string]
let write: (rows: Row[]) => Promise<void>
if (typeof args.postgres === 'string') {
  const pool = new Pool({ connectionString: args.postgres, max: 10 })
  await pool.query('CREATE TABLE IF NOT EXISTS bare_events (seq bigserial PRIMARY KEY, command_id text NOT NULL, stream text NOT NULL, payload json NOT NULL)')
  write = async (rows) => {
    await pool.query('INSERT INTO bare_events (command_id, stream, payload) SELECT * FROM unnest($1::text[], $2::text[], $3::json[])', [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])])
  }
} else {
  const db = new Database(String(args.db))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec('CREATE TABLE IF NOT EXISTS bare_events (seq INTEGER PRIMARY KEY, command_id TEXT NOT NULL, stream TEXT NOT NULL, payload TEXT NOT NULL)')
  const insert = db.prepare('INSERT INTO bare_events (command_id, stream, payload) VALUES (?, ?, ?)')
  const insertAll = db.transaction((rows: Row[]) => {
    for (const row of rows) insert.run(...row)
  })
  write = async (rows) => void insertAll(rows)
}

interface Push {
  readonly commands: readonly { readonly commandId: string; readonly payload: { readonly tenant: string; readonly listId: string } }[]
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    void (async () => {
      try {
        const push = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Push
        await write(push.commands.map((c) => [c.commandId, `${c.payload.tenant}/list-${c.payload.listId}`, JSON.stringify(c.payload)]))
        const body = JSON.stringify({ protocol: 2, results: push.commands.map((c) => ({ commandId: c.commandId, status: 'ok' })), head: 0 })
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body)
      } catch (error) {
        res.writeHead(500).end(String(error))
      }
    })()
  })
})
server.listen(Number(args.port), '127.0.0.1', () => {
  console.log(`bare listening on http://127.0.0.1:${(server.address() as { port: number }).port}`)
})
process.on('SIGTERM', () => process.exit(0))
