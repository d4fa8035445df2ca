// Protocol 2 on a real server process: undo and redo pushed by clients, run with core's
// undoCommand (idempotent, conflict-checked, tenant-checked), and answers in each request's version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { errorFromJSON } from '@chronicle/core/sync'
import { isChronicleError } from '@chronicle/core'
import { decode, protocolVersion, type PushCommand } from '@chronicle/sync'
import { tokens } from './domain'
import { clientFor, command, startServer, storedEvents, tempDir, type ServerProcess } from './harness'

const dir = tempDir('history')
const store = { db: `${dir.path}/data.sqlite` }
let server: ServerProcess

beforeAll(async () => {
  server = await startServer(store)
})
afterAll(async () => {
  await server?.kill('SIGTERM')
  dir.remove()
})

const history = (kind: 'undo' | 'redo', target: PushCommand): PushCommand => ({ ...command('addItem', {}), type: target.type, payload: null, history: { kind, target: target.commandId } })

async function post(body: unknown) {
  const response = await fetch(`${server.url}/v1/push`, { method: 'POST', headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: response.status, body: (await response.json()) as { protocol: number } }
}

describe('undo and redo through sync (protocol 2)', () => {
  it('runs a pushed undo and redo once each, in order with the commands around them', async () => {
    const alice = clientFor(server.url, tokens.alice)
    const tea = command('addItem', { tenant: 'acme', listId: 'h1', itemId: 'tea', text: 'Tea' })
    const undo = history('undo', tea)
    const redo = history('redo', tea)
    const first = await alice.push({ clientId: 'a', lastConfirmed: 0, commands: [tea, undo] })
    expect(first.protocol).toBe(protocolVersion)
    expect(first.results.map((r) => r.status)).toEqual(['ok', 'ok'])
    const again = await alice.push({ clientId: 'a', lastConfirmed: 0, commands: [undo, redo, redo] })
    expect(again.results.map((r) => r.status === 'ok' && [r.duplicate, r.events.map((e) => e.type)])).toEqual([
      [true, ['Undone']],
      [false, ['Redone']],
      [true, ['Redone']],
    ])
    const events = (await storedEvents(store)).filter((e) => e.stream === 'acme/list-h1')
    expect(events.map((e) => [e.type, e.commandId])).toEqual([
      ['ItemAdded', tea.commandId],
      ['Undone', undo.commandId],
      ['Redone', redo.commandId],
    ])
    expect(events[1]!.payload).toEqual({ commandId: tea.commandId })
  })

  it('rejects an undo that conflicts, of an unknown command, or of another tenant, and writes nothing for it', async () => {
    const [alice, carol, bob] = [tokens.alice, tokens.carol, tokens.bob].map((token) => clientFor(server.url, token))
    const milk = command('addItem', { tenant: 'acme', listId: 'h2', itemId: 'milk', text: 'Milk' })
    const later = command('appendNote', { tenant: 'acme', listId: 'h2', text: 'by carol' })
    const secret = command('appendNote', { tenant: 'globex', listId: 'h2', text: 'secret' })
    await alice!.push({ clientId: 'a', lastConfirmed: 0, commands: [milk] })
    await carol!.push({ clientId: 'c', lastConfirmed: 0, commands: [later] })
    await bob!.push({ clientId: 'b', lastConfirmed: 0, commands: [secret] })
    const before = (await storedEvents(store)).length
    const ghost = { ...milk, commandId: 'never-pushed' }
    const { results } = await alice!.push({ clientId: 'a', lastConfirmed: 0, commands: [history('undo', milk), history('redo', later), history('undo', ghost), history('undo', secret)] })
    const errors = results.map((r) => (r.status === 'rejected' ? errorFromJSON(r.error) : r.status))
    expect(errors.map((e) => (isChronicleError(e) ? [e.name, e.code] : e))).toEqual([
      ['UndoConflict', 'later-command'],
      ['UndoConflict', 'not-undone'],
      ['UndoConflict', 'unknown-command'],
      ['Unauthorized', 'forbidden'],
    ])
    expect((await storedEvents(store)).length).toBe(before)
  })

  it('answers each request in its own protocol version, and refuses history in a version 1 push', async () => {
    const note = command('appendNote', { tenant: 'acme', listId: 'h3', text: 'v1' })
    const v1 = await post({ protocol: 1, clientId: 'old', lastConfirmed: 0, commands: [note] })
    expect([v1.status, v1.body.protocol, decode.pushResponse(v1.body).ok]).toEqual([200, 1, true])
    const refused = await post({ protocol: 1, clientId: 'old', lastConfirmed: 0, commands: [history('undo', note)] })
    expect([refused.status, refused.body.protocol]).toEqual([400, 1])
    expect(decode.errorResponse(refused.body).ok && (refused.body as unknown as { error: { code: string; issues: unknown[] } }).error).toMatchObject({
      code: 'invalid-message',
      issues: [{ path: 'commands.0.history', message: 'history needs protocol 2 or later' }],
    })
    const pull = async (query: string) => {
      const response = await fetch(`${server.url}/v1/events?after=0&limit=1${query}`, { headers: { authorization: `Bearer ${tokens.alice}` } })
      return [response.status, ((await response.json()) as { protocol: number }).protocol]
    }
    expect(await pull('')).toEqual([200, 1])
    expect(await pull('&protocol=2')).toEqual([200, 2])
    expect(await pull('&protocol=3')).toEqual([400, 1])
  })
})
