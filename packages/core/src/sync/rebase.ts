import type { AnyAggregateDefinition } from '../aggregate'
import type { AnyCommandDefinition } from '../command'
import { applyToAggregate, decide, type DecidedEvent } from '../decide'
import type { EventEnvelope } from '../event'
import { newId } from '../ids'
import { validateSchema } from '../standardSchema'
import type { PendingCommand } from '../storage/storage'
import type { Principal } from '../types'
import type { StreamState } from '../writeModel'

/** What a rebase decides with: the domain, and the confirmed state of each stream. */
export interface RebaseContext {
  readonly commands: ReadonlyMap<string, AnyCommandDefinition>
  /** A stream's confirmed state (mutable: the rebase applies each decided command to it). */
  load(stream: string, aggregate: AnyAggregateDefinition): Promise<StreamState>
  /**
   * Forgets a stream's state: a command failed half-way on it, or an undo must refold it. Its next
   * `load` must include the provisional events decided before (`decided` hears of them in order).
   */
  drop(stream: string): void
  /** Hears each command's provisional events as soon as they are decided. */
  decided(events: readonly DecidedEvent[]): void
  readonly principal: () => Principal
  /** Written into the provisional events' `meta.origin`. */
  readonly origin: string
}

/** What the pending commands decide, on top of the confirmed state. */
export interface Rebased {
  /** The provisional events of every command that could still be decided, in outbox order. */
  readonly events: DecidedEvent[]
  /** The commands whose events are among them (the others show nothing until the server decides). */
  readonly decided: ReadonlySet<string>
}

/**
 * Rebase: decides every pending command again, in outbox order, each on the state its
 * predecessors left on top of the confirmed log. A command that is no longer possible there (a
 * rule now refuses it, its payload no longer validates, its definition is unknown here, the
 * record is damaged) shows nothing and leaves the state as it was; the server decides on it.
 * Provisional events keep their ids from one rebase to the next.
 */
export async function rebase(pending: readonly PendingCommand[], context: RebaseContext): Promise<Rebased> {
  const events: DecidedEvent[] = []
  const decided = new Set<string>()
  for (const command of pending) {
    const definition = context.commands.get(command.type)
    if (!definition || !wellFormed(command)) continue
    const entry = await context.load(command.stream, definition.aggregate)
    let mine: DecidedEvent[]
    try {
      let value: unknown = null
      if (!command.history) {
        const checked = await validateSchema(definition.schema, command.payload)
        if (!checked.ok) continue
        value = checked.value
      }
      const meta = { commandId: command.commandId, causationId: command.causationId, correlationId: command.correlationId, at: command.at, origin: context.origin }
      mine = await decide(
        {
          definition,
          stream: command.stream,
          value,
          context: { principal: context.principal(), commandId: command.commandId, at: command.at },
          meta,
          history: command.history,
          ids: (i) => command.events[i]?.id ?? newId(),
        },
        entry,
      )
      if (command.history) context.drop(command.stream)
      else applyToAggregate(definition.aggregate, entry.state, mine)
    } catch {
      // No longer possible on the confirmed state: it shows nothing until the server decides.
      context.drop(command.stream)
      continue
    }
    if (mine.length > 0) {
      entry.commands.push({ commandId: command.commandId, firstVersion: entry.version + 1, lastVersion: entry.version + mine.length, undone: false })
      entry.version += mine.length
    }
    events.push(...mine)
    decided.add(command.commandId)
    context.decided(mine)
  }
  return { events, decided }
}

/**
 * Whether the server confirmed the oldest outbox commands exactly as they are shown: `settled`
 * is a prefix of `outbox`, each of them was decided, and `confirmed` are precisely their
 * provisional events among `shown` (same streams, versions, types and payloads), nothing else.
 * Then the cached aggregate states (confirmed plus provisional) and every later command's
 * provisional events stay right, and the rebase can be skipped: with a steady stream of commands
 * it made each server answer cost as much as all those streams' events.
 */
export function confirmedAsShown(
  outbox: readonly Pick<PendingCommand, 'commandId'>[],
  decided: ReadonlySet<string>,
  shown: readonly DecidedEvent[],
  confirmed: readonly EventEnvelope[],
  settled: readonly string[],
): boolean {
  if (settled.length === 0 || settled.some((commandId, i) => outbox[i]?.commandId !== commandId || !decided.has(commandId))) return false
  const settledSet = new Set(settled)
  const predicted = shown.filter((event) => settledSet.has(event.meta.commandId))
  return (
    confirmed.length === predicted.length &&
    confirmed.every((event, i) => {
      const expected = predicted[i]!
      return (
        event.meta.commandId === expected.meta.commandId &&
        event.stream === expected.stream &&
        event.version === expected.version &&
        event.type === expected.type &&
        JSON.stringify(event.payload) === JSON.stringify(expected.payload)
      )
    })
  )
}

/**
 * Whether an outbox record has what a rebase reads (storage hands back whatever the record holds).
 * A record without it is not shown; it is still pushed, and refused there when it cannot be sent.
 */
function wellFormed(command: PendingCommand): boolean {
  const { history } = command
  return (
    typeof command.stream === 'string' &&
    Array.isArray(command.events) &&
    typeof command.commandId === 'string' &&
    Number.isFinite(command.at) &&
    typeof command.causationId === 'string' &&
    typeof command.correlationId === 'string' &&
    (history === undefined || (typeof history === 'object' && history !== null && (history.kind === 'undo' || history.kind === 'redo') && typeof history.target === 'string'))
  )
}
