import { BehaviorSubject } from 'rxjs'
import type { ConfirmedEvent, EventEnvelope, PendingCommand, SchemaIssue, SerializedChronicleError, SyncConnection, SyncConnectionStatus, SyncHost } from '@chronicle/core'
import { retryDelay, type RetryOptions } from './backoff'
import type { SyncClient } from './client'
import { isSyncError, SyncError } from './errors'
import type { LiveOptions, LiveSubscription } from './live'
import { decode } from './codecs'
import { protocolVersion, type PushCommand } from './protocol'

/** What a running connection needs besides the store's host. */
export interface ConnectionSetup {
  readonly client: SyncClient
  readonly clientId: string
  /** Commands per push at most (shrunk when the server says a push is too large). */
  readonly batchSize: number
  /** Events per pull page at most (the server may cap it lower). */
  readonly pullLimit: number
  readonly retry: RetryOptions
  /** Live updates over the WebSocket (falling back to polling), or `false` for pulls after pushes only. */
  readonly live: LiveOptions | false
}

/** The outbox entry as the protocol carries it. */
function toPush(command: PendingCommand): PushCommand {
  return {
    commandId: command.commandId,
    type: command.type,
    payload: command.payload,
    at: command.at,
    causationId: command.causationId,
    correlationId: command.correlationId,
    ...(command.history ? { history: { kind: command.history.kind, target: command.history.target } } : {}),
  }
}

/** A server envelope as the store takes it: its `seq` is the server position. */
function toConfirmed({ seq, ...event }: EventEnvelope): ConfirmedEvent {
  return { ...event, position: seq }
}

function asSyncError(error: unknown): SyncError {
  if (isSyncError(error)) return error
  return new SyncError('internal', `Sync failed in this client: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
}

const offlineCodes = new Set(['network', 'timeout'])

/**
 * Runs the network side of sync for one store. One loop does the work, one step at a time:
 * push the outbox in order (a batch at a time), then pull from the store's position until the
 * pushed commands' events are in, handing each page to `host.receive` with the commands it
 * settles; then keep pulling until caught up. Failures back off (exponentially, with jitter,
 * honouring `retryAfter`) and retry the same step, so no command is skipped or reordered, and the
 * server's idempotency makes a repeat harmless. Live events (WebSocket, else polling) go to the
 * store between steps, never in the middle of one.
 */
export function startConnection(host: SyncHost, setup: ConnectionSetup): SyncConnection {
  const { client } = setup
  const status = new BehaviorSubject<SyncConnectionStatus>({ online: false, pushing: false, pulling: false, lastError: undefined })
  const update = (patch: Partial<SyncConnectionStatus>) => {
    const next = { ...status.value, ...patch }
    const current = status.value
    if (next.online !== current.online || next.pushing !== current.pushing || next.pulling !== current.pulling || next.lastError !== current.lastError) status.next(next)
  }

  /** A request got the server's answer: online, and the last failure is behind us. */
  const answered = () => update({ online: true, lastError: undefined })

  let stopped = false
  let batchSize = setup.batchSize
  let failures = 0
  /** A round of work is wanted (the outbox grew, live events need a pull, the browser is back online). */
  let wanted = true
  let wakeIdle: (() => void) | undefined
  let wakeBackoff: (() => void) | undefined
  let backoffTimer: ReturnType<typeof setTimeout> | undefined
  let live: LiveSubscription | undefined
  /** The live subscription's position before its next page. */
  let liveFrom = 0

  /** Asks for a round; wakes the loop if it is idle (not if it is backing off). */
  const request = () => {
    wanted = true
    wakeIdle?.()
  }

  // Everything that reads the store's position and then hands it events runs one at a time, so
  // the pull loop and live pages never interleave.
  let tail: Promise<unknown> = Promise.resolve()
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work)
    tail = run.catch(() => undefined)
    return run
  }

  /**
   * Pulls from the store's position page by page until caught up and, after a push, until every
   * accepted command's events are in: a command is settled in the same `receive` as the page that
   * reaches its position, so its events and its leaving the outbox land in one transaction.
   */
  async function pull(answer?: { accepted: { commandId: string; position: number }[]; rejected: { commandId: string; error: SerializedChronicleError }[] }) {
    let unsettled = answer?.accepted ?? []
    let rejected = answer?.rejected ?? []
    update({ pulling: true })
    try {
      for (;;) {
        const more = await serial(async () => {
          if (stopped) return false
          const after = await host.position()
          const page = await client.pull(after, { limit: setup.pullLimit })
          answered()
          if (stopped) return false
          const settled = unsettled.filter((c) => c.position <= page.next)
          unsettled = unsettled.filter((c) => c.position > page.next)
          if (page.events.length > 0 || settled.length > 0 || rejected.length > 0 || page.next > after) {
            await host.receive({ events: page.events.map(toConfirmed), settled: settled.map((c) => c.commandId), rejected, position: page.next })
          }
          rejected = []
          if (!page.more && unsettled.length > 0) {
            throw new SyncError('bad-response', `The server accepted commands at positions up to ${Math.max(...unsettled.map((c) => c.position))} but its log ends at ${page.head}.`)
          }
          return page.more || unsettled.length > 0
        })
        if (!more) return
      }
    } finally {
      update({ pulling: false })
    }
  }

  /**
   * Refuses here, as the server would refuse the whole push, the outbox entries that do not make a
   * protocol message (a damaged record): otherwise they would hold back every command after them
   * forever. Resolves true when it refused any.
   */
  async function refuseMalformed(batch: readonly PendingCommand[]): Promise<boolean> {
    const refused = batch.flatMap((command) => {
      // Checked as the server will see it: in JSON (undefined fields dropped, dates as strings).
      let issues: SchemaIssue[]
      try {
        const checked = decode.pushRequest({ protocol: protocolVersion, clientId: setup.clientId, lastConfirmed: 0, commands: [JSON.parse(JSON.stringify(toPush(command))) as unknown] })
        if (checked.ok) return []
        issues = checked.issues.map((issue) => ({ ...issue, path: issue.path.replace(/^commands\.0\.?/, '') }))
      } catch (error) {
        issues = [{ path: 'payload', message: `not serializable to JSON: ${error instanceof Error ? error.message : String(error)}` }]
      }
      const message = `Command ${String(command.commandId)} in the outbox cannot be sent: its stored record is damaged (${issues.map((i) => `${i.path || 'command'}: ${i.message}`).join('; ')}). It was not sent.`
      return [{ commandId: command.commandId, error: { name: 'ValidationError', code: 'invalid-command', message, issues } as const }]
    })
    if (refused.length === 0) return false
    await serial(async () => host.receive({ events: [], settled: [], rejected: refused, position: await host.position() }))
    return true
  }

  /** Pushes one batch and takes in its outcome; a push too large for the server is split. */
  async function push(batch: PendingCommand[]) {
    if (await refuseMalformed(batch)) return
    update({ pushing: true })
    let response
    try {
      response = await client.push({ clientId: setup.clientId, lastConfirmed: await host.position(), commands: batch.map(toPush) })
    } catch (error) {
      if (!isSyncError(error) || error.code !== 'payload-too-large') throw error
      answered()
      if (batch.length > 1) {
        batchSize = Math.max(1, Math.floor(batch.length / 2))
        return
      }
      // One command the server will never take: refused here, as the server would, so it does not
      // hold back every command after it forever.
      const refusal = { name: 'ValidationError', code: 'payload-too-large', message: `The sync server refused command ${batch[0]!.commandId} as too large: ${error.message}` } as const
      await serial(async () => host.receive({ events: [], settled: [], rejected: [{ commandId: batch[0]!.commandId, error: refusal }], position: await host.position() }))
      return
    } finally {
      update({ pushing: false })
    }
    answered()
    if (response.results.length === 0 && !response.incomplete) throw new SyncError('bad-response', 'The sync server answered a push with no results.')
    const accepted: { commandId: string; position: number }[] = []
    const rejected: { commandId: string; error: SerializedChronicleError }[] = []
    for (const result of response.results) {
      if (result.status === 'ok') accepted.push({ commandId: result.commandId, position: result.position })
      else rejected.push({ commandId: result.commandId, error: result.error })
    }
    await pull({ accepted, rejected })
    if (response.incomplete) throw SyncError.fromWire(response.incomplete)
  }

  /** One round: the whole outbox, in order, then catching up. */
  async function round() {
    for (;;) {
      if (stopped) return
      const pending = await host.pending()
      if (pending.length === 0) break
      await push(pending.slice(0, batchSize))
    }
    await pull()
    if (!live || live.status === 'stopped') await startLive()
  }

  async function startLive() {
    if (setup.live === false || stopped) return
    live?.close()
    const after = await host.position()
    if (stopped) return
    liveFrom = after
    const subscription = client.subscribe(
      after,
      {
        events: (events, next) =>
          serial(async () => {
            if (stopped || live !== subscription) return
            // Events came: over the socket or by polling, the server answered.
            answered()
            const position = await host.position()
            // Events a pull already brought in (the socket lags behind pushes' pulls): nothing to do.
            const fresh = events.filter((e) => e.seq > position)
            // A gap (a page was skipped below) or this client's own commands (settled only with
            // the push's answer): a round pulls them instead.
            const outbox = fresh.length > 0 ? new Set((await host.pending()).map((c) => c.commandId)) : new Set<string>()
            if (liveFrom > position || fresh.some((e) => outbox.has(e.meta.commandId))) request()
            else if (fresh.length > 0 || next > position) await host.receive({ events: fresh.map(toConfirmed), settled: [], rejected: [], position: next })
            liveFrom = next
          }),
        status: (state) => {
          if (state === 'live') answered()
        },
        error: (error) => update({ lastError: error.message }),
      },
      setup.live,
    )
    live = subscription
  }

  async function run() {
    while (!stopped) {
      if (!wanted) await new Promise<void>((resolve) => (wakeIdle = resolve))
      wakeIdle = undefined
      if (stopped) return
      wanted = false
      try {
        await round()
        failures = 0
      } catch (caught) {
        if (stopped) return
        const error = asSyncError(caught)
        failures++
        update({ lastError: error.message, ...(offlineCodes.has(error.code) ? { online: false } : {}) })
        wanted = true
        await new Promise<void>((resolve) => {
          wakeBackoff = resolve
          backoffTimer = setTimeout(resolve, retryDelay(failures, error, setup.retry))
        })
        wakeBackoff = undefined
      }
    }
  }

  // The browser knows before any request fails or succeeds.
  const onOnline = () => {
    failures = 0
    request()
    wakeBackoff?.()
    if (live) void serial(startLive).catch(() => undefined)
  }
  const onOffline = () => update({ online: false })
  const events = typeof globalThis.addEventListener === 'function' ? globalThis : undefined
  events?.addEventListener('online', onOnline)
  events?.addEventListener('offline', onOffline)
  const outbox = host.outbox$.subscribe(request)

  void run()
  return {
    status$: status.asObservable(),
    stop() {
      if (stopped) return
      stopped = true
      outbox.unsubscribe()
      events?.removeEventListener('online', onOnline)
      events?.removeEventListener('offline', onOffline)
      clearTimeout(backoffTimer)
      wakeIdle?.()
      wakeBackoff?.()
      live?.close()
      update({ online: false, pushing: false, pulling: false })
      status.complete()
    },
  }
}
