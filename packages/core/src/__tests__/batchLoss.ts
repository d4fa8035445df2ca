// A batch whose command on a stream loses its race (or is a repeat that writes nothing): the
// batch's later commands on that stream were decided on top of it, so they conflict too, even
// where another writer happened to bring the stream to the version they expect. The same rule in
// every log (the sync server's planner has it too): checked on memory in batchLoss.test.ts, on
// IndexedDB in streams.browser.test.ts.
import { expect } from 'vitest'
import type { AppendCommand, EventLogStorage } from '../storage/index'

/** A one-event command on `stream` at `expectedVersion`. */
export function oneEvent(commandId: string, stream: string, expectedVersion: number, idempotent = false): AppendCommand {
  const meta = { commandId, causationId: commandId, correlationId: commandId, at: 1, origin: 'test' }
  return { commandId, stream, expectedVersion, idempotent, events: [{ id: `${commandId}-e`, stream, version: expectedVersion + 1, type: 'CardAdded', schemaVersion: 1, payload: { cardId: commandId, column: 'todo', title: commandId }, meta }] }
}

/** Runs the loss cases against one log. */
export async function expectLossesSpread(log: EventLogStorage): Promise<void> {
  // Another writer's event: the stream is at version 1.
  expect((await log.append([oneEvent('theirs', 's', 0)]))[0]!.status).toBe('ok')
  // This batch decided `a` on the stream as empty and `b` on top of `a`: `a` loses, and `b`, whose
  // expected version 1 matches only by chance, must not be written on a state without `a`.
  const outcomes = await log.append([oneEvent('a', 's', 0), oneEvent('b', 's', 1), oneEvent('other', 't', 0)])
  expect(outcomes.map((o) => o.status)).toEqual(['conflict', 'conflict', 'ok'])
  expect((await log.readStream('s', 0)).map((e) => e.meta.commandId)).toEqual(['theirs'])

  // A repeat writes nothing: what the batch decided after it on its stream assumed its events.
  expect((await log.append([oneEvent('once', 'u', 0, true)]))[0]!.status).toBe('ok')
  const repeated = await log.append([oneEvent('once', 'u', 1, true), oneEvent('after', 'u', 1)])
  expect(repeated.map((o) => o.status)).toEqual(['duplicate', 'conflict'])
  expect((await log.readStream('u', 0)).map((e) => e.meta.commandId)).toEqual(['once'])
}

