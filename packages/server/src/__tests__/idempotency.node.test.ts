// Idempotency keys against a real server process: a commandId names one request. A retry of the
// same command is answered as a duplicate; the id reused for another command (another payload,
// type or stream) is refused with ValidationError `idempotency-key-reused`; and a principal of
// another tenant never learns where a command it may not read is, or what it wrote.
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorFromJSON } from '@chronicle/core/sync'
import { isChronicleError } from '@chronicle/core'
import type { CommandResult, PushCommand } from '@chronicle/sync'
import { tokens } from './domain'
import { clientFor, command, startServer, storedEvents, tempDir, type ServerProcess } from './harness'

const dir = tempDir('idempotency')
const store = { db: `${dir.path}/data.sqlite` }
let server: ServerProcess

beforeAll(async () => {
  server = await startServer(store)
})
afterAll(async () => {
  await server?.kill('SIGTERM')
  dir.remove()
})

async function pushOne(token: string, pushed: PushCommand): Promise<CommandResult> {
  const answer = await clientFor(server.url, token).push({ clientId: 'c', lastConfirmed: 0, commands: [pushed] })
  expect(answer.results).toHaveLength(1)
  return answer.results[0]!
}

/** The code of a rejected result, checked to be the reuse refusal and to carry nothing else. */
function refusal(result: CommandResult) {
  if (result.status !== 'rejected') return { status: result.status, position: result.position, events: result.events.length }
  const error = errorFromJSON(result.error)
  return { status: result.status, name: error.name, code: error.code, fields: Object.keys(result).sort() }
}

const reused = { status: 'rejected', name: 'ValidationError', code: 'idempotency-key-reused', fields: ['commandId', 'error', 'status'] }

describe('idempotency keys on the sync server', () => {
  it('answers a retry as a duplicate and refuses the id reused for another payload, type or stream', async () => {
    const first = command('addItem', { tenant: 'acme', listId: '1', itemId: 'a', text: 'first' })
    const original = await pushOne(tokens.alice, first)
    expect(original).toMatchObject({ status: 'ok', duplicate: false })
    const before = await storedEvents(store)

    // The same command again, its payload's keys in another order: a duplicate with the first answer.
    const retry = await pushOne(tokens.alice, { ...first, payload: { text: 'first', itemId: 'a', listId: '1', tenant: 'acme' } })
    expect(retry).toEqual({ ...original, duplicate: true })

    const attempts: PushCommand[] = [
      { ...first, payload: { ...(first.payload as object), text: 'changed' } },
      { ...first, payload: { ...(first.payload as object), listId: '2' } },
      { ...first, type: 'appendNote', payload: { tenant: 'acme', listId: '1', text: 'first' } },
    ]
    for (const attempt of attempts) expect(refusal(await pushOne(tokens.alice, attempt))).toEqual(reused)
    expect(await storedEvents(store)).toEqual(before)
  })

  it("never confirms, places or shows another tenant's command under a colliding id", async () => {
    const secret = command('addItem', { tenant: 'acme', listId: 'x', itemId: 'plans', text: 'secret plans' })
    expect(await pushOne(tokens.alice, secret)).toMatchObject({ status: 'ok' })
    const before = await storedEvents(store)
    // Bob (globex) sends the id with a command of his own, and with acme's command word for word.
    const own = await pushOne(tokens.bob, { ...secret, payload: { tenant: 'globex', listId: 'x', itemId: 'mine', text: 'mine' } })
    const copy = await pushOne(tokens.bob, secret)
    expect(refusal(own)).toEqual(reused)
    expect(refusal(copy)).toEqual(reused)
    // Both refusals read alike, and name nothing of acme's command.
    const messages = [own, copy].map((r) => (r.status === 'rejected' ? r.error.message : ''))
    expect(messages[0]).toBe(messages[1])
    expect(messages[0]).not.toMatch(/acme|plans|position|\bseq\b/i)
    expect(await storedEvents(store)).toEqual(before)
  })

  it('answers repeats of commands stored before fingerprints (schema 1) as duplicates', async () => {
    const legacy = command('addItem', { tenant: 'acme', listId: 'old', itemId: 'o', text: 'old' })
    const original = await pushOne(tokens.alice, legacy)
    await server.kill('SIGTERM')
    // What a schema 1 database holds: no fingerprint beside the id.
    const db = new Database(store.db)
    db.prepare('UPDATE chronicle_commands SET fingerprint = NULL WHERE command_id = ?').run(legacy.commandId)
    db.close()
    server = await startServer(store)
    const other = await pushOne(tokens.alice, { ...legacy, payload: { ...(legacy.payload as object), text: 'new' } })
    expect(other).toEqual({ ...original, duplicate: true })
  })
})

describe('a schema 1 SQLite database', () => {
  it('gains the fingerprint column when the server opens it, keeping its commands', async () => {
    const path = `${dir.path}/schema1.sqlite`
    const db = new Database(path)
    db.exec(`
      CREATE TABLE chronicle_events (
        log TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, stream TEXT NOT NULL, version INTEGER NOT NULL,
        type TEXT NOT NULL, schema_version INTEGER NOT NULL, payload TEXT NOT NULL, meta TEXT NOT NULL,
        PRIMARY KEY (log, seq), UNIQUE (log, stream, version)
      ) WITHOUT ROWID;
      CREATE TABLE chronicle_commands (
        log TEXT NOT NULL, command_id TEXT NOT NULL, position INTEGER NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (log, command_id)
      ) WITHOUT ROWID;
      CREATE TABLE chronicle_checkpoints (
        log TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL, position INTEGER NOT NULL, state TEXT NOT NULL, saved_at REAL NOT NULL,
        PRIMARY KEY (log, name)
      ) WITHOUT ROWID;
      PRAGMA user_version = 1;
    `)
    const meta = JSON.stringify({ commandId: 'old-1', causationId: 'old-1', correlationId: 'old-1', at: 1, origin: 'server' })
    db.prepare('INSERT INTO chronicle_events VALUES (?, 1, ?, ?, 1, ?, 1, ?, ?)').run('chronicle', 'e1', 'acme/list-1', 'ItemAdded', JSON.stringify({ itemId: 'i', text: 't' }), meta)
    db.prepare('INSERT INTO chronicle_commands VALUES (?, ?, 1, 1)').run('chronicle', 'old-1')
    db.close()
    const old = await startServer({ db: path })
    try {
      const repeat = await clientFor(old.url, tokens.alice).push({ clientId: 'c', lastConfirmed: 0, commands: [{ commandId: 'old-1', type: 'addItem', payload: { tenant: 'acme', listId: '1', itemId: 'other', text: 'x' }, at: 1 }] })
      expect(repeat.results[0]).toMatchObject({ status: 'ok', duplicate: true, position: 1 })
      const fresh = await clientFor(old.url, tokens.alice).push({ clientId: 'c', lastConfirmed: 0, commands: [command('addItem', { tenant: 'acme', listId: '1', itemId: 'n', text: 'n' })] })
      expect(fresh.results[0]).toMatchObject({ status: 'ok', duplicate: false, position: 2 })
    } finally {
      await old.kill('SIGTERM')
    }
    const check = new Database(path, { readonly: true })
    expect(check.pragma('user_version', { simple: true })).toBe(3)
    // Schema 3 as well: the domain has scopes, so the old event has its stream's tenant.
    expect(check.prepare('SELECT scope FROM chronicle_events ORDER BY seq').all()).toEqual([{ scope: 'acme' }, { scope: 'acme' }])
    expect(check.prepare('SELECT command_id, fingerprint IS NULL AS legacy FROM chronicle_commands ORDER BY position').all()).toEqual([
      { command_id: 'old-1', legacy: 1 },
      { command_id: expect.any(String), legacy: 0 },
    ])
    check.close()
  })
})
