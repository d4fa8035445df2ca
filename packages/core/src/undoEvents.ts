import { UndoConflict } from './errors'
import type { EventEnvelope, EventInput } from './event'
import type { StandardSchemaV1 } from './standardSchema'

/** Event types the store itself writes; user event types may not use them. */
export const UNDONE = 'Undone'
export const REDONE = 'Redone'

/** Payload of the system events `Undone` and `Redone`. */
export interface UndoPayload {
  readonly commandId: string
}

/** A minimal Standard Schema for `{ commandId: string }`, so core needs no validator library. */
export const undoPayloadSchema: StandardSchemaV1<UndoPayload> = {
  '~standard': {
    version: 1,
    vendor: 'chronicle',
    validate: (value) =>
      typeof value === 'object' && value !== null && typeof (value as { commandId?: unknown }).commandId === 'string'
        ? { value: { commandId: (value as UndoPayload).commandId } }
        : { issues: [{ message: 'expected { commandId: string }', path: ['commandId'] }] },
  },
}

export const isHistoryEvent = (type: string): boolean => type === UNDONE || type === REDONE

/** What one stream's log says about each command that wrote to it. */
export interface StreamCommand {
  readonly commandId: string
  readonly firstVersion: number
  lastVersion: number
  undone: boolean
}

/**
 * Reads a stream's events: which commands wrote to it (in order) and which are undone now, and
 * the events that count (those of commands not undone, without the history events themselves).
 */
export function scanStream(events: readonly EventEnvelope[]): { commands: StreamCommand[]; effective: EventEnvelope[] } {
  const byId = new Map<string, StreamCommand>()
  const commands: StreamCommand[] = []
  for (const event of events) {
    if (isHistoryEvent(event.type)) {
      const target = byId.get((event.payload as UndoPayload).commandId)
      if (target) target.undone = event.type === UNDONE
      continue
    }
    const known = byId.get(event.meta.commandId)
    if (known) known.lastVersion = event.version
    else {
      const entry = { commandId: event.meta.commandId, firstVersion: event.version, lastVersion: event.version, undone: false }
      byId.set(entry.commandId, entry)
      commands.push(entry)
    }
  }
  const undone = new Set(commands.filter((c) => c.undone).map((c) => c.commandId))
  return { commands, effective: events.filter((e) => !isHistoryEvent(e.type) && !undone.has(e.meta.commandId)) }
}

/**
 * Decides an undo or redo on a stream: refused with UndoConflict when the command is unknown to
 * the stream (never written, or compacted away), already in the asked state, or followed by a
 * command (not undone) of anyone else.
 */
export function decideHistory(commands: readonly StreamCommand[], kind: 'undo' | 'redo', commandId: string): EventInput {
  const index = commands.findIndex((c) => c.commandId === commandId)
  const target = commands[index]
  if (!target) {
    throw new UndoConflict('unknown-command', `Command ${commandId} wrote nothing to its stream that is still in the log (compacted or never written); it cannot be ${kind === 'undo' ? 'undone' : 'redone'}.`)
  }
  if (target.undone === (kind === 'undo')) {
    throw new UndoConflict(kind === 'undo' ? 'already-undone' : 'not-undone', `Command ${commandId} is ${target.undone ? 'already undone' : 'not undone'}.`)
  }
  const blocking = commands.slice(index + 1).find((c) => !c.undone)
  if (blocking) {
    throw new UndoConflict(
      'later-command',
      `Cannot ${kind} command ${commandId}: command ${blocking.commandId} wrote to the same stream after it. Undo that one first, or leave this as it is.`,
      blocking.commandId,
    )
  }
  return { type: kind === 'undo' ? UNDONE : REDONE, payload: { commandId } }
}
