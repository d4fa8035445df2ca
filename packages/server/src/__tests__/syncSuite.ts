// The sync server suite, run against real server processes on SQLite and on PostgreSQL alike.
import { expect, it } from 'vitest'
import { errorFromJSON } from '@chronicle/core/sync'
import { isChronicleError, RuleViolation, type EventEnvelope } from '@chronicle/core'
import type { CommandAccepted, PushCommand } from '@chronicle/sync'
import { tokens } from './domain'
import { startFlakyProxy } from './flakyProxy'
import { clientFor, command, eventually, pushesInFlight, pushUntilAnswered, startServer, storedEvents, type StoreArgs } from './harness'

const note = (listId: string, text: string) => command('appendNote', { tenant: 'acme', listId, text })
const ok = (result: unknown) => result as CommandAccepted

/** Every command executed exactly once: one event each, none missing, none extra. */
async function expectExactlyOnce(store: StoreArgs, commands: readonly PushCommand[]) {
  const events = await storedEvents(store)
  const perCommand = new Map<string, number>()
  for (const event of events) perCommand.set(event.commandId, (perCommand.get(event.commandId) ?? 0) + 1)
  const twice = [...perCommand].filter(([, n]) => n > 1)
  expect(twice, 'commands executed more than once').toEqual([])
  expect(commands.filter((c) => !perCommand.has(c.commandId)).map((c) => c.commandId), 'commands lost').toEqual([])
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1))
  // Per stream, versions count up without gaps or repeats.
  const versions = new Map<string, number[]>()
  for (const event of events) versions.set(event.stream, [...(versions.get(event.stream) ?? []), event.version])
  for (const [stream, list] of versions) expect(list, stream).toEqual(list.map((_, i) => i + 1))
  return events
}

/** Registers the suite; `newStore()` gives an empty database for one test. */
export function syncSuite(newStore: () => Promise<StoreArgs>) {
  it('pushes, pulls and streams confirmed events live, each tenant seeing only its own', async () => {
    const store = await newStore()
    const server = await startServer(store)
    try {
      const [alice, carol, bob] = [tokens.alice, tokens.carol, tokens.bob].map((token) => clientFor(server.url, token))
      const seen: EventEnvelope[] = []
      const live = alice!.subscribe(0, { events: (events) => void seen.push(...events) }, { pollInterval: 50, reconnectDelay: 50 })
      await eventually(() => expect(live.status).toBe('live'), 'the live socket')

      const milk = command('addItem', { tenant: 'acme', listId: '1', itemId: 'milk', text: 'Milk' })
      const hello = note('1', 'hello')
      const pushed = await carol!.push({ clientId: 'carol', lastConfirmed: 0, commands: [milk, hello] })
      expect(pushed.head).toBe(2)
      expect(pushed.results).toEqual([
        {
          commandId: milk.commandId,
          status: 'ok',
          position: 1,
          duplicate: false,
          events: [
            {
              id: expect.any(String),
              seq: 1,
              stream: 'acme/list-1',
              version: 1,
              type: 'ItemAdded',
              schemaVersion: 1,
              payload: { itemId: 'milk', text: 'Milk' },
              meta: { commandId: milk.commandId, causationId: milk.commandId, correlationId: milk.commandId, at: milk.at, origin: 'server' },
            },
          ],
        },
        { commandId: hello.commandId, status: 'ok', position: 2, duplicate: false, events: [expect.objectContaining({ seq: 2, type: 'NoteAppended', payload: { text: 'hello', by: 'carol' } })] },
      ])
      await bob!.push({ clientId: 'bob', lastConfirmed: 0, commands: [command('appendNote', { tenant: 'globex', listId: '1', text: 'secret' })] })
      await carol!.push({ clientId: 'carol', lastConfirmed: 2, commands: [note('2', 'again')] })

      await eventually(() => expect(seen.map((e) => e.seq)).toEqual([1, 2, 4]), 'live events')
      expect(seen[0]).toEqual(ok(pushed.results[0]).events[0])
      expect(live.position).toBe(4)

      const all = await alice!.pull(0)
      expect(all).toEqual({ protocol: 2, events: seen, next: 4, head: 4, more: false })
      const first = await alice!.pull(0, { limit: 2 })
      expect([first.events.map((e) => e.seq), first.next, first.more]).toEqual([[1, 2], 2, true])
      const rest = await alice!.pull(first.next, { limit: 2 })
      expect([rest.events.map((e) => e.seq), rest.next, rest.more]).toEqual([[4], 4, false])
      expect((await bob!.pull(0)).events.map((e) => [e.seq, e.stream])).toEqual([[3, 'globex/list-1']])
      live.close()
      expect(seen.map((e) => e.seq)).toEqual([1, 2, 4])
    } finally {
      await server.kill('SIGTERM')
    }
  })

  it('executes a command pushed twice once, and answers the repeat with the first result', async () => {
    const store = await newStore()
    const server = await startServer(store)
    try {
      const alice = clientFor(server.url, tokens.alice)
      const batch = [command('addItem', { tenant: 'acme', listId: '1', itemId: 'tea', text: 'Tea' }), note('1', 'once')]
      const first = await alice.push({ clientId: 'a', lastConfirmed: 0, commands: batch })
      const again = await alice.push({ clientId: 'a', lastConfirmed: 2, commands: batch })
      expect(again.results).toEqual(first.results.map((result) => ({ ...result, duplicate: true })))

      // The same command on several connections at once: one execution, one answer for all.
      const racing = note('1', 'racing')
      const answers = await Promise.all(Array.from({ length: 6 }, () => alice.push({ clientId: 'a', lastConfirmed: 0, commands: [racing] })))
      const results = answers.map((a) => ok(a.results[0]))
      expect(new Set(results.map((r) => r.position)).size).toBe(1)
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1)
      expect(new Set(results.map((r) => r.events[0]!.id)).size).toBe(1)
      await expectExactlyOnce(store, [...batch, racing])
    } finally {
      await server.kill('SIGTERM')
    }
  })

  it('rejects commands with their typed errors, writes nothing for them, and runs the rest', async () => {
    const store = await newStore()
    const server = await startServer(store)
    try {
      const alice = clientFor(server.url, tokens.alice)
      const add = command('addItem', { tenant: 'acme', listId: '1', itemId: 'x', text: 'X' })
      const again = command('addItem', { tenant: 'acme', listId: '1', itemId: 'x', text: 'X again' })
      const empty = command('addItem', { tenant: 'acme', listId: '1', itemId: 'y', text: '' })
      const unknown = { ...note('1', 'n'), type: 'launchRockets' }
      const foreign = command('appendNote', { tenant: 'globex', listId: '1', text: 'not yours' })
      const after = note('1', 'still runs')
      const { results } = await alice.push({ clientId: 'a', lastConfirmed: 0, commands: [add, again, empty, unknown, foreign, after] })
      expect(results.map((r) => r.status)).toEqual(['ok', 'rejected', 'rejected', 'rejected', 'rejected', 'ok'])
      const errors = results.map((r) => (r.status === 'rejected' ? errorFromJSON(r.error) : undefined))
      expect(errors[1]).toBeInstanceOf(RuleViolation)
      expect(errors[1]).toMatchObject({ code: 'item-exists', detail: { itemId: 'x' } })
      expect(isChronicleError(errors[2], 'ValidationError') && [errors[2].code, errors[2].issues.map((i) => i.path)]).toEqual(['invalid-command', ['text']])
      expect(isChronicleError(errors[3], 'ValidationError') && errors[3].code).toBe('unknown-command')
      expect(isChronicleError(errors[4], 'Unauthorized') && errors[4].code).toBe('forbidden')
      expect((await storedEvents(store)).map((e) => e.commandId)).toEqual([add.commandId, after.commandId])
    } finally {
      await server.kill('SIGTERM')
    }
  })

  it('loses nothing acknowledged and duplicates nothing when the server is killed mid-push', async () => {
    const store = await newStore()
    let server = await startServer(store)
    const { port } = server
    try {
      const clients = Array.from({ length: 4 }, () => clientFor(server.url, tokens.alice, 5000))
      const work = clients.map((_, c) => Array.from({ length: 30 }, (_, i) => note(`${c % 2}`, `client ${c} note ${i}`)))
      const slow = Array.from({ length: 4 }, (_, i) => command('slowNote', { tenant: 'acme', listId: 'slow', text: `slow ${i}`, ms: 150 }))
      const acknowledged = new Set<string>()
      const onAnswer = (result: { commandId: string; status: string }) => {
        expect(result.status).toBe('ok')
        acknowledged.add(result.commandId)
      }
      const pushing = [
        ...clients.map((client, c) => pushUntilAnswered(client, work[c]!, { batch: 3, onAnswer })),
        pushUntilAnswered(clients[0]!, slow, { batch: 4, onAnswer }),
      ]
      // Kill once the slow batch is partly committed: that push is certainly in flight.
      await eventually(async () => expect((await storedEvents(store)).some((e) => e.payload.text === 'slow 0')).toBe(true), 'a committed slow note', 20_000, 5)
      expect(pushesInFlight.count).toBeGreaterThan(0)
      expect(await server.kill('SIGKILL')).toBeNull()

      const ackedBeforeTheKill = [...acknowledged]
      const survivors = new Set((await storedEvents(store)).map((e) => e.commandId))
      expect(ackedBeforeTheKill.filter((id) => !survivors.has(id)), 'acknowledged, then lost').toEqual([])
      expect(survivors.size).toBeLessThan(124)

      server = await startServer(store, { port })
      await Promise.all(pushing)
      await expectExactlyOnce(store, [...work.flat(), ...slow])
    } finally {
      await server.kill('SIGTERM')
    }
  })

  it('executes every command exactly once over a link that drops, fails and delays requests', async () => {
    const store = await newStore()
    const server = await startServer(store)
    const proxy = await startFlakyProxy(server.url, { seed: 6 })
    try {
      const work = Array.from({ length: 3 }, (_, c) => Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? command('addItem', { tenant: 'acme', listId: `${c}`, itemId: `i${i}`, text: `item ${i}` }) : note(`${c}`, `n${i}`))))
      const results = await Promise.all(work.map((commands, c) => pushUntilAnswered(clientFor(proxy.url, tokens.alice, 5000), commands, { batch: 4, clientId: `flaky-${c}` })))
      const answers = results.flatMap((map) => [...map.values()])
      expect(answers.every((r) => r.status === 'ok')).toBe(true)
      // Answers that were lost and asked for again came back as the first execution's.
      expect(answers.some((r) => ok(r).duplicate)).toBe(true)
      for (const fault of ['drop-before', 'error-before', 'drop-after', 'error-after', 'slow'] as const) expect(proxy.stats[fault], fault).toBeGreaterThan(0)
      const events = await expectExactlyOnce(store, work.flat())
      for (const answer of answers.map(ok)) expect(events.find((e) => e.commandId === answer.commandId)?.seq).toBe(answer.position)
    } finally {
      await proxy.close()
      await server.kill('SIGTERM')
    }
  })

  it('finishes the pushes in flight when stopped with SIGTERM', async () => {
    const store = await newStore()
    const server = await startServer(store)
    const alice = clientFor(server.url, tokens.alice)
    const slow = Array.from({ length: 8 }, (_, i) => command('slowNote', { tenant: 'acme', listId: '1', text: `slow ${i}`, ms: 100 }))
    const pushing = alice.push({ clientId: 'a', lastConfirmed: 0, commands: slow })
    await eventually(async () => expect((await storedEvents(store)).length).toBeGreaterThan(0), 'the first slow note', 20_000, 5)
    const exit = server.kill('SIGTERM')
    const { results } = await pushing
    expect(results.map((r) => r.status)).toEqual(slow.map(() => 'ok'))
    expect(await exit).toBe(0)
    expect(server.output()).toContain('stopped')
    await expectExactlyOnce(store, slow)
  })
}
