import type { Observable } from 'rxjs'
import { createValueCell, type ValueCell } from './emitter'

/** Options of tab leadership (`createStore({ leadership })`). */
export interface LeadershipOptions {
  /** How often the leader tells the other tabs it is alive, in ms (default 1000). */
  readonly heartbeatInterval?: number
  /**
   * How long the other tabs wait without hearing the leader before they ask it directly, in ms
   * (default 3000). A leader that does not answer within one more heartbeat interval (plus a
   * random part of one, so that not every tab moves at once) is frozen or hung: a follower steals
   * the lock and leads.
   */
  readonly timeout?: number
}

/** Which tab of an origin leads, for one store name. */
export interface Leadership {
  readonly isLeader: boolean
  readonly isLeader$: Observable<boolean>
  /** Gives up leadership (or the place in the queue for it) and stops listening. */
  dispose(): void
}

/** Leadership of a store that shares its log with no other tab (memory storage, no Web Locks). */
export function soleLeadership(): Leadership {
  return leadershipOver(createValueCell(true), () => undefined)
}

/** The Leadership view of a cell: `stop` runs once, then the cell says false and completes. */
function leadershipOver(leader: ValueCell<boolean>, stop: () => void): Leadership {
  let disposed = false
  return {
    get isLeader() {
      return leader.value
    },
    isLeader$: leader.observable,
    dispose() {
      if (disposed) return
      disposed = true
      stop()
      leader.set(false)
      leader.complete()
    },
  }
}

type LeaderMessage = { readonly kind: 'heartbeat'; readonly leader: string; readonly head: number } | { readonly kind: 'probe' }

/** What leadership needs from its store: heartbeats carry the leader's log position. */
export interface LeadershipHost {
  /** The log position this store's read models reached. */
  position(): number
  /** A leader's heartbeat said the log reached `head`. */
  heard(head: number): void
}

/**
 * Elects one leader among the tabs (and workers) of an origin that open the store `name`, through
 * the Web Locks API: the tab holding the lock `chronicle:<name>:leader` leads; the others queue for
 * it and get it, in turn, when the leader closes or crashes (the browser releases its lock).
 *
 * A frozen, hibernated or hung leader keeps its lock, so the leader also sends a heartbeat on a
 * BroadcastChannel of the same name. A follower that hears nothing for `timeout` sends a probe,
 * which a live leader answers at once, even when its timers are throttled in a background tab;
 * when no answer comes, the follower steals the lock (`steal: true`). The old leader learns it
 * lost the lock as soon as it runs again and queues as a follower.
 *
 * Each heartbeat carries the leader's log position, so a tab that missed head announcements
 * (paused, frozen without a `resume` event) learns of them within a heartbeat.
 *
 * Without the Web Locks API (Node, jsdom, old browsers), every store is its own leader.
 */
export function createLeadership(name: string, id: string, host: LeadershipHost, options: LeadershipOptions = {}): Leadership {
  const available = typeof navigator === 'undefined' ? undefined : (navigator.locks as LockManager | undefined)
  if (!available) return soleLeadership()
  const locks: LockManager = available

  const heartbeatInterval = options.heartbeatInterval ?? 1000
  const timeout = options.timeout ?? 3000
  const lockName = `chronicle:${name}:leader`
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(lockName) : undefined
  const leader = createValueCell(false)
  let disposed = false
  /** The latest lock request; settlements of older ones are ignored. */
  let current: object | undefined
  let waiting: AbortController | undefined
  let release: (() => void) | undefined
  let lastHeard = Date.now()
  let probe: ReturnType<typeof setTimeout> | undefined

  const post = (message: LeaderMessage) => channel?.postMessage(message)
  const beat = () => post({ kind: 'heartbeat', leader: id, head: host.position() })

  function request(steal: boolean) {
    const token = {}
    current = token
    const controller = steal ? undefined : new AbortController()
    waiting = controller
    const granted = (): Promise<void> | undefined => {
      // A lock granted to a superseded request (or after dispose) is given back at once.
      if (disposed || current !== token) return undefined
      waiting = undefined
      leader.set(true)
      beat()
      return new Promise<void>((resolve) => {
        release = resolve
      })
    }
    const held = controller ? locks.request(lockName, { signal: controller.signal }, granted) : locks.request(lockName, { steal: true }, granted)
    const settled = (error?: unknown) => {
      if (current !== token) return
      release = undefined
      if (error instanceof DOMException && error.name !== 'AbortError') {
        // Locks refused outright (an opaque origin, a sandboxed frame): nobody to share with, lead alone.
        leader.set(true)
        return
      }
      // Released (dispose) or stolen by a tab that thought this one dead: queue again.
      leader.set(false)
      if (!disposed) request(false)
    }
    held.then(() => settled(), settled)
  }

  function heard() {
    lastHeard = Date.now()
    clearTimeout(probe)
    probe = undefined
  }

  function takeOver() {
    probe = undefined
    if (disposed || leader.value) return
    waiting?.abort()
    request(true)
  }

  const tick = setInterval(() => {
    if (disposed) return
    if (leader.value) {
      beat()
      return
    }
    if (probe !== undefined || Date.now() - lastHeard < timeout) return
    post({ kind: 'probe' })
    probe = setTimeout(takeOver, heartbeatInterval + Math.random() * heartbeatInterval)
  }, heartbeatInterval)

  if (channel) {
    channel.onmessage = (event: MessageEvent<unknown>) => {
      const message = event.data as Partial<LeaderMessage> | null
      if (message?.kind === 'heartbeat') {
        heard()
        if (typeof message.head === 'number') host.heard(message.head)
      } else if (message?.kind === 'probe' && leader.value) beat()
    }
  }
  request(false)

  return leadershipOver(leader, () => {
    disposed = true
    current = undefined
    clearInterval(tick)
    clearTimeout(probe)
    waiting?.abort()
    release?.()
    channel?.close()
  })
}
