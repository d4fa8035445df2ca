import { Subject } from 'rxjs'
import { envelopeIssues } from '../envelope'
import { ConfigurationError, ValidationError } from '../errors'
import type { AdmittedCommand } from '../dispatcher'
import type { EventEnvelope } from '../event'
import type { DecidedEvent } from '../decide'
import type { StoreKernel } from '../kernel'
import type { AppendCommand, AppendOutcome, ConfirmedEvent, OutboxStorage, PendingCommand } from '../storage/storage'
import { confirmedAsShown, rebase as rebasePending } from './rebase'
import { createSyncState, provisional, type SyncHost } from './types'

/**
 * The client side of sync inside the store. Commands go to the outbox (in IndexedDB, with their
 * provisional events) instead of the log; read models show the confirmed log plus the outbox's
 * provisional events. When the server answers, confirmed events go to the log and every command
 * still pending is decided again on top of them (rebase).
 */
export interface Outbox {
  /** The dispatcher's append in sync mode: writes to the outbox. */
  append(batch: readonly AppendCommand[], commands: readonly AdmittedCommand[]): Promise<AppendOutcome[]>
  /** How many provisional events the read models show (a batch being stored numbers its events after them). */
  readonly shown: number
  /** Provisional events of one stream (the write model folds them on top of the confirmed ones). */
  provisionalOf(stream: string, afterVersion: number): EventEnvelope[]
  /** Decides every pending command again on the current confirmed state. */
  rebase(): Promise<void>
  /** Another tab changed the outbox (or stored confirmed events): show it, and let the connection push. */
  changedElsewhere(): Promise<void>
  readonly host: SyncHost
  readonly state: ReturnType<typeof createSyncState>
}

/** What the outbox needs of the store besides its kernel. */
export interface OutboxLinks {
  /** Runs work while no batch of the dispatcher is in flight (`Dispatcher.exclusive`). */
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>
  /** Confirmed events of commands this session dispatched (reactions run on them). */
  readonly confirmedOwn: (events: EventEnvelope[]) => void
  /** Tells the other tabs: the outbox changed, or confirmed events were stored. */
  readonly notify: (what: 'outbox' | 'received') => void
}

/** Creates the store's outbox over its kernel (`kernel.log()` must have the outbox methods). */
export function createOutbox(kernel: StoreKernel, links: OutboxLinks): Outbox {
  const state = createSyncState()
  const outbox$ = new Subject<void>()
  const own = new Set<string>()
  let byStream = new Map<string, DecidedEvent[]>()
  let ordered: DecidedEvent[] = []
  /** The outbox as this tab last read or wrote it, in order. */
  let outboxNow: Omit<PendingCommand, 'order'>[] = []
  /** Commands of the outbox whose provisional events are shown (decided on the current state). */
  const decidedIds = new Set<string>()

  const log = () => outboxStorage(kernel)
  const show = () => kernel.readModels.setPending(provisional(ordered, kernel.readModels.position))
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
    kernel.writeModel.clear()
    // Streams load their confirmed events only while the pending commands are decided again.
    byStream = new Map()
    ordered = []
    decidedIds.clear()
    outboxNow = pending
    const rebased = await rebasePending(pending, {
      commands: kernel.commands,
      load: (stream, aggregate) => kernel.writeModel.load(stream, aggregate),
      drop: (stream) => kernel.writeModel.drop(stream),
      decided: track,
      principal: () => kernel.principal(),
      origin: kernel.origin,
    })
    for (const commandId of rebased.decided) decidedIds.add(commandId)
    await show()
    state.outbox(pending, 'replace')
    state.update({ pending: pending.length })
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
    storeName: kernel.name,
    pending: () => log().readPending(),
    position: () => log().syncPosition(),
    async receive(update) {
      checkConfirmed(update.events)
      const before = new Map((await log().readPending()).map((c) => [c.commandId, c]))
      const rejected = new Map(update.rejected.map((r) => [r.commandId, { command: before.get(r.commandId), error: r.error }]))
      const settled = [...update.settled, ...update.rejected.map((r) => r.commandId)]
      const appended = await links.exclusive(async () => {
        const events = (await log().receive({ events: update.events, settled, position: update.position })).map(kernel.decode)
        if (events.length > 0) await kernel.ingest(events, false)
        // Nothing new (a page the log already held, a position moving past no events): the
        // confirmed state and the outbox are as they were, so is everything decided on them.
        if (events.length === 0 && settled.length === 0) return events
        if (update.rejected.length === 0 && confirmedAsShown(outboxNow, decidedIds, ordered, events, update.settled)) await forget(update.settled)
        else await rebase()
        return events
      })
      state.update({ confirmedPosition: Math.max(state.api.status.confirmedPosition, update.position) })
      state.settled(settled, rejected)
      links.notify('received')
      const mine = appended.filter((e) => own.has(e.meta.commandId))
      if (mine.length > 0) links.confirmedOwn(mine)
      for (const commandId of settled) own.delete(commandId)
    },
    outbox$: outbox$.asObservable(),
  }

  return {
    state,
    host,
    rebase,
    async changedElsewhere() {
      await links.exclusive(rebase)
      outbox$.next()
    },
    get shown() {
      return ordered.length
    },
    provisionalOf: (stream, afterVersion) => (byStream.get(stream) ?? []).filter((e) => e.version > afterVersion).map((e) => ({ ...e, seq: 0 })),
    async append(batch, commands) {
      const entries = pendingEntries(batch, commands)
      await log().putPending(entries)
      for (const entry of entries) own.add(entry.commandId)
      for (const append of batch) track(append.events)
      outboxNow = [...outboxNow, ...entries]
      for (const entry of entries) decidedIds.add(entry.commandId)
      await show()
      state.outbox(entries, 'append')
      state.update({ pending: state.api.status.pending + entries.length })
      outbox$.next()
      links.notify('outbox')
      const head = kernel.readModels.position
      return batch.map((append) => ({ status: 'ok' as const, events: append.events.map((e) => ({ ...e, seq: head })) }))
    },
  }
}

/** The store log's outbox; a storage without one cannot sync. */
function outboxStorage(kernel: StoreKernel): OutboxStorage {
  const outbox = kernel.log().outbox
  if (!outbox) throw new ConfigurationError('no-outbox', 'This storage has no outbox; createStore({ sync }) needs indexedDbStorage() or memoryStorage().')
  return outbox
}

/** The outbox records of a decided batch: each command as dispatched, with its provisional events. */
function pendingEntries(batch: readonly AppendCommand[], commands: readonly AdmittedCommand[]): Omit<PendingCommand, 'order'>[] {
  return batch.map((append, i) => {
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
}

/**
 * What a sync server confirms goes into the log for good: an envelope out of range (a time no Date
 * can show, an id or stream too long) is refused before anything of the update is.
 */
function checkConfirmed(events: readonly ConfirmedEvent[]): void {
  const issues = events.flatMap((event, i) => envelopeIssues(event, `events.${i}`))
  if (issues.length > 0) {
    throw new ValidationError('invalid-event', `The sync server sent events this store cannot keep (${issues.slice(0, 5).map((issue) => `${issue.path}: ${issue.message}`).join('; ')}); nothing of the update was stored. Fix the server's log.`, issues)
  }
}
