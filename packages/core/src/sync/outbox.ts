import { Subject } from 'rxjs'
import type { AnyCommandDefinition } from '../command'
import type { AdmittedCommand } from '../dispatcher'
import type { EventEnvelope } from '../event'
import { applyToAggregate, decideEvents, envelopesOf, type DecidedEvent } from '../decide'
import { decideHistory } from '../undoEvents'
import { envelopeIssues } from '../envelope'
import { ValidationError } from '../errors'
import { newId } from '../ids'
import type { ReadModels } from '../readModels'
import { validateSchema } from '../standardSchema'
import type { AppendCommand, AppendOutcome, EventLogStorage, PendingCommand } from '../storage/storage'
import { createSyncState, provisional, type SyncHost } from './types'
import type { Principal } from '../types'
import type { WriteModel } from '../writeModel'

/**
 * The client side of sync inside the store. Commands go to the outbox (in IndexedDB, with their
 * provisional events) instead of the log; read models show the confirmed log plus the outbox's
 * provisional events. When the server answers, confirmed events go to the log and every command
 * still pending is decided again on top of them (rebase).
 */
export interface Outbox {
  /** The dispatcher's append in sync mode: writes to the outbox. */
  append(batch: readonly AppendCommand[], commands: readonly AdmittedCommand[]): Promise<AppendOutcome[]>
  /** Provisional events of one stream (the write model folds them on top of the confirmed ones). */
  provisionalOf(stream: string, afterVersion: number): EventEnvelope[]
  /** Decides every pending command again on the current confirmed state. */
  rebase(): Promise<void>
  /** Another tab changed the outbox (or stored confirmed events): show it, and let the connection push. */
  changedElsewhere(): Promise<void>
  readonly host: SyncHost
  readonly state: ReturnType<typeof createSyncState>
}

/** What the outbox works with: the store's log, write model and read models. */
export interface OutboxDeps {
  readonly storeName: string
  readonly origin: string
  readonly log: () => EventLogStorage
  readonly commands: ReadonlyMap<string, AnyCommandDefinition>
  readonly writeModel: WriteModel
  readonly readModels: ReadModels
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>
  readonly decode: (event: EventEnvelope) => EventEnvelope
  /** Hands confirmed events to the read models (log order, gaps read first). */
  readonly ingest: (events: EventEnvelope[]) => void | Promise<void>
  /** Confirmed events of commands this session dispatched (reactions run on them). */
  readonly confirmedOwn: (events: EventEnvelope[]) => void
  readonly principal: () => Principal
  /** Tells the other tabs: the outbox changed, or confirmed events were stored. */
  readonly notify: (what: 'outbox' | 'received') => void
}

export function createOutbox(deps: OutboxDeps): Outbox {
  const state = createSyncState()
  const outbox$ = new Subject<void>()
  const own = new Set<string>()
  let byStream = new Map<string, DecidedEvent[]>()
  let ordered: DecidedEvent[] = []
  /** The outbox as this tab last read or wrote it, in order. */
  let outboxNow: Omit<PendingCommand, 'order'>[] = []
  /** Commands of the outbox whose provisional events are shown (decided on the current state). */
  const decidedIds = new Set<string>()

  const log = () => {
    const outbox = deps.log().outbox
    if (!outbox) throw new TypeError('This storage has no outbox; sync needs indexedDbStorage() or memoryStorage()')
    return outbox
  }
  const show = () => deps.readModels.setPending(provisional(ordered, deps.readModels.position))
  const track = (events: readonly DecidedEvent[]) => {
    for (const event of events) {
      ordered.push(event)
      const list = byStream.get(event.stream) ?? []
      list.push(event)
      byStream.set(event.stream, list)
    }
  }

  const rebase = async () => {
    const pending = await log().readPending()
    deps.writeModel.clear()
    byStream = new Map()
    ordered = []
    outboxNow = pending
    decidedIds.clear()
    for (const command of pending) {
      const definition = deps.commands.get(command.type)
      // Unknown here, or a damaged record: shown as nothing; the connection and the server decide.
      if (!definition || !wellFormed(command)) continue
      const entry = await deps.writeModel.load(command.stream, definition.aggregate)
      let decided: DecidedEvent[]
      try {
        let inputs
        if (command.history) inputs = [decideHistory(entry.commands, command.history.kind, command.history.target)]
        else {
          const checked = await validateSchema(definition.schema, command.payload)
          if (!checked.ok) continue
          inputs = await decideEvents(definition, entry.state, checked.value, { principal: deps.principal(), commandId: command.commandId, at: command.at })
        }
        decided = envelopesOf(
          inputs,
          {
            aggregate: definition.aggregate,
            stream: command.stream,
            version: entry.version,
            history: command.history !== undefined,
            meta: { commandId: command.commandId, causationId: command.causationId, correlationId: command.correlationId, at: command.at, origin: deps.origin },
          },
          // The provisional events keep their ids from one rebase to the next.
          (i) => command.events[i]?.id ?? newId(),
        )
        if (command.history) deps.writeModel.drop(command.stream)
        else applyToAggregate(definition.aggregate, entry.state, decided)
      } catch {
        // No longer possible on the confirmed state: it shows nothing until the server decides.
        deps.writeModel.drop(command.stream)
        continue
      }
      if (decided.length > 0) {
        entry.commands.push({ commandId: command.commandId, firstVersion: entry.version + 1, lastVersion: entry.version + decided.length, undone: false })
        entry.version += decided.length
      }
      track(decided)
      decidedIds.add(command.commandId)
    }
    await show()
    state.outbox(pending, 'replace')
    state.update({ pending: pending.length })
  }

  /**
   * Whether the server confirmed the oldest outbox commands exactly as they are shown: `settled`
   * is a prefix of the outbox, and `events` are precisely their provisional events (same streams,
   * versions, types and payloads), nothing else. Then the cached aggregate states (confirmed plus
   * provisional) and every later command's provisional events stay right, and the rebase, which
   * folds every stream with pending commands from the log again, can be skipped: with a steady
   * stream of commands it made each server answer cost as much as all those streams' events.
   */
  const confirmedAsShown = (events: readonly EventEnvelope[], settled: readonly string[]) => {
    if (settled.length === 0 || settled.some((commandId, i) => outboxNow[i]?.commandId !== commandId || !decidedIds.has(commandId))) return false
    const settledSet = new Set(settled)
    const predicted = ordered.filter((event) => settledSet.has(event.meta.commandId))
    return (
      events.length === predicted.length &&
      events.every((event, i) => {
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

  /** The settled commands leave the outbox as confirmed; the others stay as they are shown. */
  const forget = async (settled: readonly string[]) => {
    const gone = new Set(settled)
    outboxNow = outboxNow.filter((command) => !gone.has(command.commandId))
    for (const commandId of settled) decidedIds.delete(commandId)
    ordered = ordered.filter((event) => !gone.has(event.meta.commandId))
    byStream = new Map()
    for (const event of ordered) {
      const list = byStream.get(event.stream) ?? []
      list.push(event)
      byStream.set(event.stream, list)
    }
    await show()
    state.outbox(outboxNow, 'replace')
    state.update({ pending: outboxNow.length })
  }

  const host: SyncHost = {
    storeName: deps.storeName,
    pending: () => log().readPending(),
    position: () => log().syncPosition(),
    async receive(update) {
      // What a sync server confirms goes into the log for good: an envelope out of range (a time
      // no Date can show, an id or stream too long) is refused before anything of the update is.
      const issues = update.events.flatMap((event, i) => envelopeIssues(event, `events.${i}`))
      if (issues.length > 0) {
        throw new ValidationError('invalid-event', `The sync server sent events this store cannot keep (${issues.slice(0, 5).map((issue) => `${issue.path}: ${issue.message}`).join('; ')}); nothing of the update was stored. Fix the server's log.`, issues)
      }
      const before = new Map((await log().readPending()).map((c) => [c.commandId, c]))
      const rejected = new Map(update.rejected.map((r) => [r.commandId, { command: before.get(r.commandId), error: r.error }]))
      const settled = [...update.settled, ...update.rejected.map((r) => r.commandId)]
      const appended = await deps.exclusive(async () => {
        const events = (await log().receive({ events: update.events, settled, position: update.position })).map(deps.decode)
        if (events.length > 0) await deps.ingest(events)
        // Nothing new (a page the log already held, a position moving past no events): the
        // confirmed state and the outbox are as they were, so is everything decided on them.
        if (events.length === 0 && settled.length === 0) return events
        if (update.rejected.length === 0 && confirmedAsShown(events, update.settled)) await forget(update.settled)
        else await rebase()
        return events
      })
      state.update({ confirmedPosition: Math.max(state.api.status.confirmedPosition, update.position) })
      state.settled(settled, rejected)
      deps.notify('received')
      const mine = appended.filter((e) => own.has(e.meta.commandId))
      if (mine.length > 0) deps.confirmedOwn(mine)
      for (const commandId of settled) own.delete(commandId)
    },
    outbox$: outbox$.asObservable(),
  }

  return {
    state,
    host,
    rebase,
    async changedElsewhere() {
      await deps.exclusive(rebase)
      outbox$.next()
    },
    provisionalOf: (stream, afterVersion) => (byStream.get(stream) ?? []).filter((e) => e.version > afterVersion).map((e) => ({ ...e, seq: 0 })),
    async append(batch, commands) {
      const entries: Omit<PendingCommand, 'order'>[] = batch.map((append, i) => {
        const command = commands[i]!
        return {
          commandId: append.commandId,
          type: command.definition.type,
          payload: command.payload,
          at: command.context.at,
          causationId: command.causationId,
          correlationId: command.correlationId,
          stream: append.stream,
          events: append.events,
          ...(command.history ? { history: command.history } : {}),
        }
      })
      await log().putPending(entries)
      for (const entry of entries) own.add(entry.commandId)
      for (const append of batch) track(append.events)
      outboxNow = [...outboxNow, ...entries]
      for (const entry of entries) decidedIds.add(entry.commandId)
      await show()
      state.outbox(entries, 'append')
      state.update({ pending: state.api.status.pending + entries.length })
      outbox$.next()
      deps.notify('outbox')
      const head = deps.readModels.position
      return batch.map((append) => ({ status: 'ok' as const, events: append.events.map((e) => ({ ...e, seq: head })) }))
    },
  }
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
