import { BehaviorSubject, type Observable, type Subscription } from 'rxjs'
import type { ConfirmedEvent, PendingCommand, SerializedChronicleError, SyncConnection, SyncConnectionStatus, SyncHost } from '@chronicle/core/sync'
import type { EventEnvelope, SchemaIssue } from '@chronicle/core'
import { retryDelay, type RetryOptions } from './backoff'
import type { SyncClient } from './client'
import { isSyncError, SyncError } from './errors'
import type { LiveOptions, LiveSubscription } from './live'
import { decode } from './codecs'
import { protocolVersion, type CommandResult, type PushCommand } from './protocol'

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

/** A command the server accepted, at the position of its last event. */
type Accepted = { commandId: string; position: number }
/** A command refused, with the error the store records for it. */
type Refused = { commandId: string; error: SerializedChronicleError }

/**
 * The refusal of an outbox entry that does not make a protocol message (a damaged record), or
 * undefined when it does. Checked as the server will see it: in JSON (undefined fields dropped,
 * dates as strings).
 */
function malformedRefusal(command: PendingCommand, clientId: string): Refused | undefined {
  let issues: SchemaIssue[]
  try {
    const checked = decode.pushRequest({ protocol: protocolVersion, clientId, lastConfirmed: 0, commands: [JSON.parse(JSON.stringify(toPush(command))) as unknown] })
    if (checked.ok) return undefined
    issues = checked.issues.map((issue) => ({ ...issue, path: issue.path.replace(/^commands\.0\.?/, '') }))
  } catch (error) {
    issues = [{ path: 'payload', message: `not serializable to JSON: ${error instanceof Error ? error.message : String(error)}` }]
  }
  const message = `Command ${String(command.commandId)} in the outbox cannot be sent: its stored record is damaged (${issues.map((i) => `${i.path || 'command'}: ${i.message}`).join('; ')}). It was not sent.`
  return { commandId: command.commandId, error: { name: 'ValidationError', code: 'invalid-command', message, issues } as const }
}

/** A push's results, split into the commands the server accepted and those it refused. */
function splitResults(results: readonly CommandResult[]): { accepted: Accepted[]; rejected: Refused[] } {
  const accepted: Accepted[] = []
  const rejected: Refused[] = []
  for (const result of results) {
    if (result.status === 'ok') accepted.push({ commandId: result.commandId, position: result.position })
    else rejected.push({ commandId: result.commandId, error: result.error })
  }
  return { accepted, rejected }
}

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
  return new Connection(host, setup)
}

/** A running connection: its status, the work loop and its steps, the live subscription. */
class Connection implements SyncConnection {
  readonly status$: Observable<SyncConnectionStatus>
  readonly #host: SyncHost
  readonly #setup: ConnectionSetup
  readonly #client: SyncClient
  readonly #status = new BehaviorSubject<SyncConnectionStatus>({ online: false, pushing: false, pulling: false, lastError: undefined })
  #stopped = false
  #batchSize: number
  #failures = 0
  /** A round of work is wanted (the outbox grew, live events need a pull, the browser is back online). */
  #wanted = true
  #wakeIdle: (() => void) | undefined
  #wakeBackoff: (() => void) | undefined
  #backoffTimer: ReturnType<typeof setTimeout> | undefined
  #live: LiveSubscription | undefined
  /** The live subscription's position before its next page. */
  #liveFrom = 0
  /** The end of the queue of `serial` work. */
  #tail: Promise<unknown> = Promise.resolve()
  /** Where the browser's `online` and `offline` events come from (none in Node). */
  readonly #events = typeof globalThis.addEventListener === 'function' ? globalThis : undefined
  readonly #outbox: Subscription

  constructor(host: SyncHost, setup: ConnectionSetup) {
    this.#host = host
    this.#setup = setup
    this.#client = setup.client
    this.#batchSize = setup.batchSize
    this.status$ = this.#status.asObservable()
    this.#events?.addEventListener('online', this.#onOnline)
    this.#events?.addEventListener('offline', this.#onOffline)
    this.#outbox = host.outbox$.subscribe(() => this.#request())
    void this.#run()
  }

  /** Ends the connection: the loop, the live subscription, the listeners; the status completes. */
  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#outbox.unsubscribe()
    this.#events?.removeEventListener('online', this.#onOnline)
    this.#events?.removeEventListener('offline', this.#onOffline)
    clearTimeout(this.#backoffTimer)
    this.#wakeIdle?.()
    this.#wakeBackoff?.()
    this.#live?.close()
    this.#update({ online: false, pushing: false, pulling: false })
    this.#status.complete()
  }

  /** Changes the status; emits only when a field changed. */
  #update(patch: Partial<SyncConnectionStatus>) {
    const current = this.#status.value
    const next = { ...current, ...patch }
    if (next.online !== current.online || next.pushing !== current.pushing || next.pulling !== current.pulling || next.lastError !== current.lastError) this.#status.next(next)
  }

  /** A request got the server's answer: online, and the last failure is behind us. */
  #answered() {
    this.#update({ online: true, lastError: undefined })
  }

  /** Asks for a round; wakes the loop if it is idle (not if it is backing off). */
  #request() {
    this.#wanted = true
    this.#wakeIdle?.()
  }

  /**
   * Runs `work` after all the work queued before it. Everything that reads the store's position
   * and then hands it events goes through here, so the pull loop and live pages never interleave.
   */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(work)
    this.#tail = run.catch(() => undefined)
    return run
  }

  /** Hands the store refusals decided here (no events, the position unchanged). */
  #refuse(rejected: Refused[]): Promise<void> {
    return this.#serial(async () => this.#host.receive({ events: [], settled: [], rejected, position: await this.#host.position() }))
  }

  /** The loop: a round whenever one is wanted, backing off after a failure. */
  async #run() {
    while (!this.#stopped) {
      if (!this.#wanted) await new Promise<void>((resolve) => (this.#wakeIdle = resolve))
      this.#wakeIdle = undefined
      if (this.#stopped) return
      this.#wanted = false
      try {
        await this.#round()
        this.#failures = 0
      } catch (caught) {
        if (this.#stopped) return
        await this.#backOff(asSyncError(caught))
      }
    }
  }

  /** After a failed round: reports it and waits (until the delay passes or the browser comes back online). */
  async #backOff(error: SyncError) {
    this.#failures++
    this.#update({ lastError: error.message, ...(offlineCodes.has(error.code) ? { online: false } : {}) })
    this.#wanted = true
    await new Promise<void>((resolve) => {
      this.#wakeBackoff = resolve
      this.#backoffTimer = setTimeout(resolve, retryDelay(this.#failures, error, this.#setup.retry))
    })
    this.#wakeBackoff = undefined
  }

  /** One round: the whole outbox, in order, then catching up. */
  async #round() {
    for (;;) {
      if (this.#stopped) return
      const pending = await this.#host.pending()
      if (pending.length === 0) break
      await this.#push(pending.slice(0, this.#batchSize))
    }
    await this.#pull()
    if (!this.#live || this.#live.status === 'stopped') await this.#startLive()
  }

  /** Pushes one batch and takes in its outcome; a push too large for the server is split. */
  async #push(batch: PendingCommand[]) {
    if (await this.#refuseMalformed(batch)) return
    this.#update({ pushing: true })
    let response
    try {
      response = await this.#client.push({ clientId: this.#setup.clientId, lastConfirmed: await this.#host.position(), commands: batch.map(toPush) })
    } catch (error) {
      if (!isSyncError(error) || error.code !== 'payload-too-large') throw error
      this.#answered()
      await this.#tooLarge(batch, error)
      return
    } finally {
      this.#update({ pushing: false })
    }
    this.#answered()
    if (response.results.length === 0 && !response.incomplete) throw new SyncError('bad-response', 'The sync server answered a push with no results.')
    await this.#pull(splitResults(response.results))
    if (response.incomplete) throw SyncError.fromWire(response.incomplete)
  }

  /**
   * The server refused a push as too large: the batch size halves; a single command the server
   * will never take is refused here, as the server would, so it does not hold back every command
   * after it forever.
   */
  async #tooLarge(batch: PendingCommand[], error: SyncError) {
    if (batch.length > 1) {
      this.#batchSize = Math.max(1, Math.floor(batch.length / 2))
      return
    }
    const refusal = { name: 'ValidationError', code: 'payload-too-large', message: `The sync server refused command ${batch[0]!.commandId} as too large: ${error.message}` } as const
    await this.#refuse([{ commandId: batch[0]!.commandId, error: refusal }])
  }

  /**
   * Refuses here, as the server would refuse the whole push, the outbox entries that do not make a
   * protocol message (a damaged record): otherwise they would hold back every command after them
   * forever. Resolves true when it refused any.
   */
  async #refuseMalformed(batch: readonly PendingCommand[]): Promise<boolean> {
    const refused = batch.flatMap((command) => malformedRefusal(command, this.#setup.clientId) ?? [])
    if (refused.length === 0) return false
    await this.#refuse(refused)
    return true
  }

  /**
   * Pulls from the store's position page by page until caught up and, after a push, until every
   * accepted command's events are in: a command is settled in the same `receive` as the page that
   * reaches its position, so its events and its leaving the outbox land in one transaction.
   */
  async #pull(answer?: { accepted: Accepted[]; rejected: Refused[] }) {
    let unsettled = answer?.accepted ?? []
    let rejected = answer?.rejected ?? []
    this.#update({ pulling: true })
    try {
      for (;;) {
        const more = await this.#serial(async () => {
          if (this.#stopped) return false
          const after = await this.#host.position()
          const page = await this.#client.pull(after, { limit: this.#setup.pullLimit })
          this.#answered()
          if (this.#stopped) return false
          const settled = unsettled.filter((c) => c.position <= page.next)
          unsettled = unsettled.filter((c) => c.position > page.next)
          if (page.events.length > 0 || settled.length > 0 || rejected.length > 0 || page.next > after) {
            await this.#host.receive({ events: page.events.map(toConfirmed), settled: settled.map((c) => c.commandId), rejected, position: page.next })
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
      this.#update({ pulling: false })
    }
  }

  /** (Re)starts the live subscription from the store's position, unless live updates are off. */
  async #startLive() {
    if (this.#setup.live === false || this.#stopped) return
    this.#live?.close()
    const after = await this.#host.position()
    if (this.#stopped) return
    this.#liveFrom = after
    const subscription: LiveSubscription = this.#client.subscribe(
      after,
      {
        events: (events, next) => this.#serial(() => this.#takeLive(subscription, events, next)),
        status: (state) => {
          if (state === 'live') this.#answered()
        },
        error: (error) => this.#update({ lastError: error.message }),
      },
      this.#setup.live,
    )
    this.#live = subscription
  }

  /** A live page: handed to the store, or (after a gap, or with this client's own commands) left to a round's pull. */
  async #takeLive(subscription: LiveSubscription, events: readonly EventEnvelope[], next: number) {
    if (this.#stopped || this.#live !== subscription) return
    // Events came: over the socket or by polling, the server answered.
    this.#answered()
    const position = await this.#host.position()
    // Events a pull already brought in (the socket lags behind pushes' pulls): nothing to do.
    const fresh = events.filter((e) => e.seq > position)
    // A gap (a page was skipped below) or this client's own commands (settled only with the
    // push's answer): a round pulls them instead.
    const outbox = fresh.length > 0 ? new Set((await this.#host.pending()).map((c) => c.commandId)) : new Set<string>()
    if (this.#liveFrom > position || fresh.some((e) => outbox.has(e.meta.commandId))) this.#request()
    else if (fresh.length > 0 || next > position) await this.#host.receive({ events: fresh.map(toConfirmed), settled: [], rejected: [], position: next })
    this.#liveFrom = next
  }

  /** The browser is back online (it knows before any request fails or succeeds): a round now, live again. */
  readonly #onOnline = () => {
    this.#failures = 0
    this.#request()
    this.#wakeBackoff?.()
    if (this.#live) void this.#serial(() => this.#startLive()).catch(() => undefined)
  }

  /** The browser went offline. */
  readonly #onOffline = () => this.#update({ online: false })
}
