// Every refusal has its code and changes nothing: tokens, authorization, tenant isolation, body
// limits, malformed and fuzzed messages, CORS and rate limits, against a real server process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { WebSocket } from 'ws'
import { errorFromJSON } from '@chronicle/core/sync'
import { isChronicleError, type EventEnvelope } from '@chronicle/core'
import { decode, isSyncError, type SyncError } from '@chronicle/sync'
import { tokens } from './domain'
import { clientFor, command, eventually, startServer, storedEvents, tempDir, type ServerProcess } from './harness'

const dir = tempDir('security')
const store = { db: `${dir.path}/data.sqlite` }
let server: ServerProcess
const allowedOrigin = 'https://app.example.com'

beforeAll(async () => {
  server = await startServer(store, { args: ['--cors', allowedOrigin, '--max-body', '8192'] })
  // Something to protect: acme's list.
  await clientFor(server.url, tokens.alice).push({ clientId: 'a', lastConfirmed: 0, commands: [command('addItem', { tenant: 'acme', listId: '1', itemId: 'plans', text: 'secret plans' })] })
})
afterAll(async () => {
  await server?.kill('SIGTERM')
  dir.remove()
})

/** A request without the client library, so anything can be sent. */
async function send(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers)
  if (init.token) headers.set('authorization', `Bearer ${init.token}`)
  const response = await fetch(`${server.url}${path}`, { ...init, headers })
  const text = await response.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = text
  }
  return { status: response.status, headers: response.headers, body }
}

const push = (body: unknown, token: string | null = tokens.alice, raw = false) =>
  send('/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ? (body as string) : JSON.stringify(body), ...(token ? { token } : {}) })

const validPush = (commands = [command('appendNote', { tenant: 'acme', listId: '1', text: 'hi' })]) => ({ protocol: 1, clientId: 'x', lastConfirmed: 0, commands })

/** The error code of an ErrorResponse, checked against the protocol. */
function errorCode(body: unknown): string {
  const decoded = decode.errorResponse(body)
  if (!decoded.ok) throw new Error(`not an ErrorResponse: ${JSON.stringify(body)}`)
  return decoded.value.error.code
}

/** Runs `attempt` and checks that the log did not change. */
async function storesNothing(attempt: () => Promise<unknown>) {
  const before = (await storedEvents(store)).length
  await attempt()
  expect((await storedEvents(store)).length).toBe(before)
}

describe('sync server security', () => {
  it('refuses a push without a token, or with a wrong one', async () => {
    await storesNothing(async () => {
      const missing = await push(validPush(), null)
      expect([missing.status, errorCode(missing.body), missing.headers.get('www-authenticate')]).toEqual([401, 'unauthenticated', 'Bearer'])
      const wrong = await push(validPush(), 'token-mallory')
      expect([wrong.status, errorCode(wrong.body)]).toEqual([401, 'unauthenticated'])
      const basic = await send('/v1/push', { method: 'POST', headers: { authorization: 'Basic YWxpY2U6eA==' }, body: JSON.stringify(validPush()) })
      expect([basic.status, errorCode(basic.body)]).toEqual([401, 'unauthenticated'])
      const pull = await send('/v1/events?after=0')
      expect([pull.status, errorCode(pull.body)]).toEqual([401, 'unauthenticated'])
    })
    const error = await clientFor(server.url, 'token-mallory').pull(0).catch((e: unknown) => e as SyncError)
    expect(isSyncError(error) && [error.code, error.status, error.retryable]).toEqual(['unauthenticated', 401, false])
  })

  it('rejects commands the principal may not run, with Unauthorized', async () => {
    await storesNothing(async () => {
      const viewer = await clientFor(server.url, tokens.victor).push({ clientId: 'v', lastConfirmed: 0, commands: [command('appendNote', { tenant: 'acme', listId: '1', text: 'viewers cannot write' })] })
      const foreign = await clientFor(server.url, tokens.alice).push({ clientId: 'a', lastConfirmed: 0, commands: [command('appendNote', { tenant: 'globex', listId: '1', text: 'not my tenant' })] })
      for (const result of [viewer.results[0], foreign.results[0]]) {
        expect(result?.status).toBe('rejected')
        const error = result?.status === 'rejected' ? errorFromJSON(result.error) : undefined
        expect(isChronicleError(error, 'Unauthorized') && error.code).toBe('forbidden')
      }
    })
  })

  it("never shows a principal another tenant's streams: not in pulls, not live", async () => {
    const bob = clientFor(server.url, tokens.bob)
    const page = await bob.pull(0)
    expect(page.events).toEqual([])
    expect([page.next, page.more]).toEqual([page.head, false])
    expect(page.head).toBeGreaterThan(0)

    const heard: EventEnvelope[] = []
    const live = bob.subscribe(0, { events: (events) => void heard.push(...events) }, { pollInterval: 60_000, reconnectDelay: 50 })
    await eventually(() => expect(live.status).toBe('live'), 'bob live')
    await clientFor(server.url, tokens.alice).push({ clientId: 'a', lastConfirmed: 0, commands: [command('appendNote', { tenant: 'acme', listId: '1', text: 'acme only' })] })
    const own = await bob.push({ clientId: 'b', lastConfirmed: 0, commands: [command('appendNote', { tenant: 'globex', listId: '1', text: 'globex' })] })
    await eventually(() => expect(heard.map((e) => e.stream)).toEqual(['globex/list-1']), 'bob hearing his own event')
    expect(heard[0]!.seq).toBe(own.results[0]!.status === 'ok' ? own.results[0]!.position : -1)
    live.close()

    const errors: SyncError[] = []
    const intruder = clientFor(server.url, 'token-mallory').subscribe(0, { events: () => undefined, error: (e) => void errors.push(e) }, { pollInterval: 60_000 })
    await eventually(() => expect(intruder.status).toBe('stopped'), 'the intruder refused')
    expect(errors.map((e) => e.code)).toContain('unauthenticated')
  })

  it('refuses an oversized body with 413, declared or streamed', async () => {
    await storesNothing(async () => {
      const big = validPush([command('appendNote', { tenant: 'acme', listId: '1', text: 'x'.repeat(10_000) })])
      const declared = await push(big)
      expect([declared.status, errorCode(declared.body)]).toEqual([413, 'payload-too-large'])
      const text = JSON.stringify(big)
      const streamed = await send('/v1/push', {
        method: 'POST',
        token: tokens.alice,
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < text.length; i += 1000) controller.enqueue(new TextEncoder().encode(text.slice(i, i + 1000)))
            controller.close()
          },
        }),
        duplex: 'half',
      } as RequestInit)
      expect([streamed.status, errorCode(streamed.body)]).toEqual([413, 'payload-too-large'])
    })
  })

  it('refuses malformed JSON and messages that do not follow the protocol, saying where', async () => {
    await storesNothing(async () => {
      const malformed = await push('{"protocol": 1, "commands": [', tokens.alice, true)
      expect([malformed.status, errorCode(malformed.body)]).toEqual([400, 'malformed-json'])
      const shape = await push({ protocol: 1, clientId: '', lastConfirmed: -1, commands: [{ commandId: 7, type: 'appendNote', at: 'now' }] })
      expect([shape.status, errorCode(shape.body)]).toEqual([400, 'invalid-message'])
      expect(decode.errorResponse(shape.body).ok && (shape.body as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path).sort()).toEqual([
        'clientId',
        'commands.0.at',
        'commands.0.commandId',
        'commands.0.payload',
        'lastConfirmed',
      ])
      const future = await push({ ...validPush(), protocol: 3 })
      expect([future.status, errorCode(future.body)]).toEqual([400, 'unsupported-protocol'])
    })
  })

  it('refuses envelope fields out of range (a time no Date can show, overlong ids), saying where, and stores nothing', async () => {
    await storesNothing(async () => {
      for (const at of [1e308, 8.64e15 + 1, -1]) {
        const answer = await push(validPush([{ ...command('appendNote', { tenant: 'acme', listId: '1', text: 'when?' }), at }]))
        expect([answer.status, errorCode(answer.body)]).toEqual([400, 'invalid-message'])
        expect((answer.body as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path)).toEqual(['commands.0.at'])
      }
      const long = await push(validPush([{ ...command('appendNote', { tenant: 'acme', listId: '1', text: 'x' }), causationId: 'c'.repeat(201) }]))
      expect((long.body as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path)).toEqual(['commands.0.causationId'])
    })
  })

  it('answers unknown paths, wrong methods and bad pull parameters with their codes', async () => {
    const unknown = await send('/v2/anything', { token: tokens.alice })
    expect([unknown.status, errorCode(unknown.body)]).toEqual([404, 'not-found'])
    const method = await send('/v1/push', { token: tokens.alice })
    expect([method.status, errorCode(method.body), method.headers.get('allow')]).toEqual([405, 'method-not-allowed', 'POST'])
    const after = await send('/v1/events?after=-1&limit=x', { token: tokens.alice })
    expect([after.status, errorCode(after.body)]).toEqual([400, 'invalid-message'])
    expect((after.body as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path)).toEqual(['after', 'limit'])
    const health = await send('/v1/health')
    expect([health.status, health.body]).toEqual([200, { protocol: 2, protocols: [1, 2], status: 'ok' }])
  })

  it('lets allowed origins in through CORS and keeps other origins out', async () => {
    const preflight = await send('/v1/push', { method: 'OPTIONS', headers: { origin: allowedOrigin, 'access-control-request-method': 'POST' } })
    expect([preflight.status, preflight.headers.get('access-control-allow-origin'), preflight.headers.get('access-control-allow-headers')]).toEqual([204, allowedOrigin, 'authorization, content-type'])
    const evil = await send('/v1/push', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } })
    expect([evil.status, evil.headers.get('access-control-allow-origin')]).toEqual([403, null])
    const pull = await send('/v1/events?after=0', { token: tokens.alice, headers: { origin: allowedOrigin } })
    expect(pull.headers.get('access-control-allow-origin')).toBe(allowedOrigin)
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/live`, { headers: { origin: 'https://evil.example' } })
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('open', () => resolve(101))
      ws.on('error', () => undefined)
    })
    expect(status).toBe(403)
  })

  it('answers fuzzed pushes with protocol errors or rejections, and stores nothing', async () => {
    const base = validPush([command('appendNote', { tenant: 'acme', listId: '1', text: 'fuzz' }), command('addItem', { tenant: 'acme', listId: '1', itemId: 'f', text: 'fuzz' })])
    // A valid push with one value somewhere replaced by arbitrary JSON.
    const mutated = fc.tuple(fc.integer({ min: 0, max: 20 }), fc.jsonValue()).map(([at, value]) => {
      const copy = structuredClone(base) as unknown as Record<string, unknown>
      const slots: [Record<string, unknown>, string][] = []
      const walk = (node: unknown) => {
        if (typeof node !== 'object' || node === null) return
        for (const key of Object.keys(node)) {
          slots.push([node as Record<string, unknown>, key])
          walk((node as Record<string, unknown>)[key])
        }
      }
      walk(copy)
      const [holder, key] = slots[at % slots.length]!
      holder[key] = value
      return JSON.stringify(copy)
    })
    const body = fc.oneof(mutated, fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ maxLength: 200 }))
    await storesNothing(() =>
      fc.assert(
        fc.asyncProperty(body, async (text) => {
          // Victor may write nothing, so whatever the fuzzer builds cannot be stored legitimately.
          const answer = await push(text, tokens.victor, true)
          if (answer.status === 200) {
            const decoded = decode.pushResponse(answer.body)
            expect(decoded.ok && decoded.value.results.every((r) => r.status === 'rejected')).toBe(true)
          } else {
            expect([400, 413]).toContain(answer.status)
            expect(['malformed-json', 'invalid-message', 'unsupported-protocol', 'payload-too-large']).toContain(errorCode(answer.body))
          }
        }),
        { numRuns: 150, seed: 20_260_401 },
      ),
    )
  })

  it('closes live sockets whose hello is missing, malformed or unauthenticated', async () => {
    const hellos = fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ type: fc.constant('hello'), protocol: fc.constantFrom(1, 2), token: fc.string({ maxLength: 20 }), after: fc.integer({ min: -5, max: 5 }) }).map((v) => JSON.stringify(v)),
    )
    await fc.assert(
      fc.asyncProperty(hellos, async (hello) => {
        const { code, messages } = await new Promise<{ code: number; messages: string[] }>((resolve) => {
          const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/live`)
          const messages: string[] = []
          ws.on('open', () => ws.send(hello))
          ws.on('message', (data) => messages.push(String(data)))
          ws.on('close', (closeCode) => resolve({ code: closeCode, messages }))
        })
        expect([4400, 4401]).toContain(code)
        expect(messages).toHaveLength(1)
        const message = decode.liveServerMessage(JSON.parse(messages[0]!))
        expect(message.ok && message.value.type).toBe('error')
      }),
      { numRuns: 40, seed: 20_260_402 },
    )
  })
})

describe('sync server rate limit', () => {
  let limited: ServerProcess
  const limitedStore = { db: `${dir.path}/limited.sqlite` }
  beforeAll(async () => {
    limited = await startServer(limitedStore, { args: ['--rate', '1', '--burst', '10'] })
  })
  afterAll(() => limited?.kill('SIGTERM'))

  it('limits pushed commands per principal, and says when to come back', async () => {
    const notes = (n: number, tenant = 'acme') => Array.from({ length: n }, (_, i) => command('appendNote', { tenant, listId: 'r', text: `${i}` }))
    const alice = clientFor(limited.url, tokens.alice)
    const tooMany = await alice.push({ clientId: 'a', lastConfirmed: 0, commands: notes(11) }).catch((e: unknown) => e as SyncError)
    expect(isSyncError(tooMany) && tooMany.code).toBe('payload-too-large')
    expect((await alice.push({ clientId: 'a', lastConfirmed: 0, commands: notes(10) })).results).toHaveLength(10)
    // Five more need five seconds of refill at one command per second.
    const refused = await alice.push({ clientId: 'a', lastConfirmed: 0, commands: notes(5) }).catch((e: unknown) => e as SyncError)
    expect(isSyncError(refused) && [refused.code, refused.status, refused.retryable]).toEqual(['rate-limited', 429, true])
    expect(isSyncError(refused) && refused.retryAfter).toBeGreaterThan(0)
    // Another principal has its own allowance.
    expect((await clientFor(limited.url, tokens.bob).push({ clientId: 'b', lastConfirmed: 0, commands: notes(3, 'globex') })).results).toHaveLength(3)
    expect(await storedEvents(limitedStore)).toHaveLength(13)
  })

  it('refuses a push over the command limit with 413, also past the protocol limit of 1000 commands', async () => {
    const post = (count: number) =>
      fetch(`${limited.url}/v1/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.alice}`, 'content-type': 'application/json' },
        body: JSON.stringify({ protocol: 2, clientId: 'a', lastConfirmed: 0, commands: Array.from({ length: count }, (_, i) => command('appendNote', { tenant: 'acme', listId: 'l', text: `${i}` })) }),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as unknown }))
    for (const count of [11, 1000, 1001, 5000]) {
      const answer = await post(count)
      expect([count, answer.status, errorCode(answer.body)]).toEqual([count, 413, 'payload-too-large'])
      expect((answer.body as { protocol: number }).protocol).toBe(2)
    }
    expect(await storedEvents(limitedStore)).toHaveLength(13)
  })
})
