import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decode, isSyncError, isVersionMismatch, parseJson, protocolLimits, SyncError, type PushRequest } from '../index'

const command = { commandId: 'c1', type: 'addCard', payload: { boardId: 'b1', tags: ['a'], n: 1.5, ok: true, none: null }, at: 1_700_000_000_000 }
const push: PushRequest = { protocol: 1, clientId: 'device-1', lastConfirmed: 0, commands: [command] }

const envelope = {
  id: 'e1',
  seq: 3,
  stream: 'board-b1',
  version: 1,
  type: 'CardAdded',
  schemaVersion: 1,
  payload: { cardId: 'c1' },
  meta: { commandId: 'c1', causationId: 'c1', correlationId: 'c1', at: 1, origin: 'server' },
}

describe('protocol codecs', () => {
  it('accept a valid push and return a copy without unknown keys', () => {
    const decoded = decode.pushRequest({ ...push, extra: 'dropped', commands: [{ ...command, causationId: 'x', sneaky: 1 }] })
    expect(decoded).toEqual({ ok: true, value: { ...push, commands: [{ ...command, causationId: 'x' }] } })
  })

  it('report every problem with its path, not just the first', () => {
    const decoded = decode.pushRequest({ protocol: 1, clientId: '', lastConfirmed: 1.5, commands: [{ commandId: 'c', type: 7, payload: undefined, at: Infinity }, 'nope'] })
    expect(decoded.ok).toBe(false)
    if (decoded.ok) return
    expect(decoded.issues.map((i) => i.path)).toEqual(['clientId', 'lastConfirmed', 'commands.0.type', 'commands.0.payload', 'commands.0.at', 'commands.1'])
    expect(decoded.issues[0]!.message).toBe('expected 1 to 200 characters, got 0')
  })

  it('say only "unsupported protocol" to a peer of another version', () => {
    const decoded = decode.pushRequest({ protocol: 3, whatever: true })
    expect(decoded.ok || isVersionMismatch(decoded.issues)).toBe(true)
    expect(decoded.ok).toBe(false)
    const missing = decode.pushRequest({ clientId: 'x' })
    expect(missing.ok || isVersionMismatch(missing.issues)).toBe(false)
  })

  it('take undo and redo (history) in protocol 2 pushes, and refuse them in protocol 1', () => {
    const undo = { ...command, commandId: 'u1', payload: null, history: { kind: 'undo', target: 'c1' } }
    expect(decode.pushRequest({ ...push, protocol: 2, commands: [command, undo] })).toEqual({ ok: true, value: { ...push, protocol: 2, commands: [command, undo] } })
    const old = decode.pushRequest({ ...push, protocol: 1, commands: [command, undo] })
    expect(old.ok || old.issues).toEqual([{ path: 'commands.1.history', message: 'history needs protocol 2 or later' }])
    const wrong = decode.pushRequest({ ...push, protocol: 2, commands: [{ ...undo, history: { kind: 'erase', target: '' } }] })
    expect(wrong.ok || wrong.issues.map((i) => i.path)).toEqual(['commands.0.history.kind', 'commands.0.history.target'])
    // Answers of either version are read: a server answers in the request's version.
    for (const protocol of [1, 2]) expect(decode.pullResponse({ protocol, events: [], next: 0, head: 0, more: false }).ok).toBe(true)
  })

  it('enforce the protocol limits', () => {
    const many = { ...push, commands: Array.from({ length: protocolLimits.commandsPerPush + 1 }, (_, i) => ({ ...command, commandId: `c${i}` })) }
    expect(decode.pushRequest(many).ok).toBe(false)
    let deep: unknown = 'leaf'
    for (let i = 0; i < protocolLimits.payloadDepth + 1; i++) deep = [deep]
    expect(decode.pushRequest({ ...push, commands: [{ ...command, payload: deep }] }).ok).toBe(false)
    expect(decode.pushRequest({ ...push, commands: [{ ...command, commandId: 'x'.repeat(protocolLimits.idLength + 1) }] }).ok).toBe(false)
  })

  it('check the range and length of every envelope field, in pushes and in what servers send', () => {
    // Times a Date cannot show (new Date(1e308).toISOString() throws), or before 1970.
    for (const at of [1e308, 8.64e15 + 1, -1, Number.MAX_VALUE]) {
      const pushed = decode.pushRequest({ ...push, commands: [{ ...command, at }] })
      expect(pushed.ok || pushed.issues.map((i) => i.path)).toEqual(['commands.0.at'])
      const sent = decode.pullResponse({ protocol: 1, events: [{ ...envelope, meta: { ...envelope.meta, at } }], next: 3, head: 3, more: false })
      expect(sent.ok || sent.issues.map((i) => i.path)).toEqual(['events.0.meta.at'])
    }
    expect(decode.eventEnvelope({ ...envelope, meta: { ...envelope.meta, at: 8.64e15 } }).ok).toBe(true)
    expect(decode.eventEnvelope({ ...envelope, meta: { ...envelope.meta, at: 0 } }).ok).toBe(true)
    const long = (n: number) => 'x'.repeat(n)
    const bad = {
      ...envelope,
      id: long(protocolLimits.idLength + 1),
      seq: 0,
      stream: long(protocolLimits.streamLength + 1),
      version: 2 ** 53,
      type: '',
      schemaVersion: 2 ** 31,
      meta: { commandId: '', causationId: long(201), correlationId: 7, at: 1, origin: long(201) },
    }
    const decoded = decode.eventEnvelope(bad)
    expect(decoded.ok || decoded.issues.map((i) => i.path).sort()).toEqual(
      ['id', 'seq', 'stream', 'version', 'type', 'schemaVersion', 'meta.commandId', 'meta.causationId', 'meta.correlationId', 'meta.origin'].sort(),
    )
  })

  it('decode answers and live messages', () => {
    expect(decode.pushResponse({ protocol: 1, results: [{ commandId: 'c1', status: 'ok', position: 3, duplicate: false, events: [envelope] }], head: 3 }).ok).toBe(true)
    expect(decode.pushResponse({ protocol: 1, results: [{ commandId: 'c1', status: 'rejected', error: { name: 'RuleViolation', code: 'x', message: 'm', detail: { a: 1 } } }], head: 3 }).ok).toBe(true)
    expect(decode.pushResponse({ protocol: 1, results: [{ commandId: 'c1', status: 'rejected', error: { name: 'Boom', code: 'x', message: 'm' } }], head: 3 }).ok).toBe(false)
    expect(decode.pushResponse({ protocol: 1, results: [{ commandId: 'c1', status: 'maybe' }], head: 3 }).ok).toBe(false)
    expect(decode.pullResponse({ protocol: 1, events: [envelope], next: 3, head: 9, more: true }).ok).toBe(true)
    expect(decode.pullResponse({ protocol: 1, events: [{ ...envelope, seq: 0 }], next: 3, head: 9, more: true }).ok).toBe(false)
    expect(decode.liveServerMessage({ type: 'events', events: [envelope], after: 2, next: 3, head: 3 }).ok).toBe(true)
    expect(decode.liveServerMessage({ type: 'ready', head: 3 }).ok).toBe(true)
    expect(decode.liveServerMessage({ type: 'error', error: { code: 'unauthenticated', message: 'no' } }).ok).toBe(true)
    expect(decode.liveServerMessage({ type: 'error', error: { code: 'made-up', message: 'no' } }).ok).toBe(false)
    expect(decode.liveClientMessage({ type: 'hello', protocol: 1, token: 't', after: 0 }).ok).toBe(true)
    expect(decode.eventEnvelope(envelope)).toEqual({ ok: true, value: envelope })
  })

  it('never throw, whatever arrives', () => {
    const decoders = Object.values(decode)
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue()), (value) => {
        for (const decoder of decoders) {
          const result = decoder(value)
          expect(result.ok || result.issues.length > 0).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('round-trip every valid push through JSON unchanged', () => {
    const id = fc.string({ minLength: 1, maxLength: 40 })
    const pushCommand = fc.record(
      {
        commandId: id,
        type: id,
        payload: fc.jsonValue({ maxDepth: 5 }).filter((v) => v !== undefined),
        at: fc.oneof(fc.integer({ min: 0, max: 8.64e15 }), fc.double({ min: 0, max: 8.64e15, noNaN: true })),
        causationId: id,
        correlationId: id,
        history: fc.record({ kind: fc.constantFrom('undo' as const, 'redo' as const), target: id }),
      },
      { requiredKeys: ['commandId', 'type', 'payload', 'at'] },
    )
    const request = fc.record({ protocol: fc.constant(2 as const), clientId: id, lastConfirmed: fc.nat(), commands: fc.array(pushCommand, { maxLength: 5 }) })
    fc.assert(
      fc.property(request, (value) => {
        const wire = JSON.parse(JSON.stringify(value)) as unknown
        expect(decode.pushRequest(wire)).toEqual({ ok: true, value: wire })
      }),
      { numRuns: 200 },
    )
  })

  it('parse JSON without throwing', () => {
    expect(parseJson('{"a":1}')).toEqual({ ok: true, value: { a: 1 } })
    const bad = parseJson('{"a":')
    expect(bad.ok).toBe(false)
  })
})

describe('SyncError', () => {
  it('says whether trying again can help, and travels as a wire error', () => {
    expect(new SyncError('network', 'offline').retryable).toBe(true)
    expect(new SyncError('bad-response', 'garbled', { status: 502 }).retryable).toBe(true)
    expect(new SyncError('bad-response', 'garbled', { status: 200 }).retryable).toBe(false)
    expect(new SyncError('unauthenticated', 'who?', { status: 401 }).retryable).toBe(false)
    const limited = new SyncError('rate-limited', 'slow down', { status: 429, retryAfter: 1500 })
    const back = SyncError.fromWire(limited.toWire(), 429)
    expect([back.code, back.retryAfter, back.retryable, back.status]).toEqual(['rate-limited', 1500, true, 429])
    expect(isSyncError(back)).toBe(true)
    expect(isSyncError(new Error('x'))).toBe(false)
    expect(new SyncError('invalid-message', 'bad', { issues: [{ path: 'a', message: 'b' }] }).toJSON()).toEqual({ name: 'SyncError', code: 'invalid-message', message: 'bad', issues: [{ path: 'a', message: 'b' }] })
  })
})
