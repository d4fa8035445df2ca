import { ChronicleError, StorageError } from './errors'
import type { EventEnvelope } from './event'
import { readCommandPages, type ReadLog } from './logPages'

/** What the tab channel needs from its store. */
export interface TabChannelHost {
  /** Names the channel: `chronicle:<name>`. */
  readonly name: string
  /** Resolves when the store is open and its read models caught up; nothing is read before. */
  readonly ready: Promise<void>
  /** The log position the read models reached. */
  position(): number
  /** The log head in storage. */
  head(): Promise<number>
  /** Reads the log (decoded events). */
  readonly readLog: ReadLog
  /** Learns a compaction another tab made (drops cached streams; read models behind it start again). */
  followHorizon(): Promise<void>
  /** Drops every cached stream state (another tab is about to compact, or this tab was away). */
  dropCaches(): void
  /** Applies other tabs' events, which directly follow `position()`, without running reactions. */
  apply(events: EventEnvelope[]): void | Promise<void>
  report(error: ChronicleError): void
  /** Events per catch-up page at most (default 5000). */
  readonly pageSize?: number
}

/** Keeps one store's read models up with what other tabs commit to the shared log. */
export interface TabChannel {
  /** Tells the other tabs that the log reached `head` (the last position of a commit). */
  announce(head: number): void
  /** Whether this tab hears the others (a BroadcastChannel exists); a deaf tab must not trust its caches. */
  readonly hearing: boolean
  /** Tells the other tabs that this one is about to compact (`'start'`) or has compacted (`'done'`) the log. */
  announceCompaction(phase: 'start' | 'done'): void
  /** Reads and applies the log up to `head` (default: the head in storage, after checking for a compaction). */
  catchUp(head?: number): Promise<void>
  dispose(): void
}

interface HeadMessage {
  readonly kind: 'head'
  readonly head: number
}

interface CompactedMessage {
  readonly kind: 'compacting' | 'compacted'
}

/** The shortest time between two head announcements, in ms: one a frame. */
const announceEvery = 16

/**
 * After its commits a tab posts its new head on the BroadcastChannel `chronicle:<name>` (at most
 * once every `announceEvery` ms, always the latest head); the other
 * tabs read the log by key range up to that head, in pages that end at command boundaries, and
 * apply it through the normal projection path (in log order, command by command, no reactions).
 * A head always ends a commit, so a catch-up never stops inside a command.
 *
 * Messages are lost when a tab is frozen, discarded from the back/forward cache, or has no
 * BroadcastChannel; such a tab reads the log up to the stored head when it comes back (focus,
 * visibility, `resume`, `pageshow`), and its own next commit reads any gap before its events.
 *
 * A compaction is announced twice: `compacting` a grace period before the events are removed,
 * so every tab that hears drops its cached stream states (which may predate events about to go,
 * and whose versions would then no longer collide), and `compacted` after. Whoever hears the
 * second, or comes back from being away (caches dropped at once), checks the stored horizon
 * before reading: read models behind it (whose next events are gone) start again from the
 * stored checkpoints. A tab without a BroadcastChannel hears nothing and checks every append.
 */
export function createTabChannel(host: TabChannelHost): TabChannel {
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`chronicle:${host.name}`) : undefined
  const pageSize = host.pageSize ?? 5000
  let disposed = false
  /** The highest head announced that is not applied yet. */
  let target = 0
  /** A catch-up to the stored head was asked for. */
  let toStoredHead = false
  /** Another tab may have compacted the log since this one last looked (a message, or this tab was away). */
  let checkHorizon = false
  let busy = false
  let running: Promise<void> = Promise.resolve()

  async function run() {
    try {
      await host.ready
    } catch {
      // The store never opened (and says why); there is nothing to catch up with.
      busy = false
      return
    }
    try {
      while (!disposed && (toStoredHead || checkHorizon || target > host.position())) {
        if (checkHorizon) {
          checkHorizon = false
          await host.followHorizon()
        }
        let goal = target
        if (toStoredHead) {
          toStoredHead = false
          goal = Math.max(goal, await host.head())
        }
        const from = host.position()
        if (goal <= from) continue
        for await (const page of readCommandPages(host.readLog, from, { to: goal, pageSize })) {
          if (disposed) return
          await host.apply(page)
        }
        // Nothing up to that head in this log (a store of the same name on other storage): drop it.
        if (host.position() === from) target = 0
      }
    } catch (error) {
      // A closed log ends catching up quietly: the store reports why it closed.
      if (!disposed && !(error instanceof StorageError && error.code === 'closed')) {
        host.report(error instanceof ChronicleError ? error : new StorageError('failed', `Catching up with other tabs failed: ${String(error)}`, { cause: error }))
      }
    } finally {
      busy = false
    }
  }

  function catchUp(head?: number): Promise<void> {
    if (disposed) return Promise.resolve()
    if (head === undefined) toStoredHead = checkHorizon = true
    else target = Math.max(target, head)
    if (!busy) {
      busy = true
      running = run()
    }
    return running
  }

  if (channel) {
    channel.onmessage = (event: MessageEvent<unknown>) => {
      const message = event.data as Partial<HeadMessage | CompactedMessage> | null
      if (message?.kind === 'head' && typeof message.head === 'number' && message.head > host.position()) void catchUp(message.head)
      else if (message?.kind === 'compacting') host.dropCaches()
      else if (message?.kind === 'compacted') void catchUp()
    }
  }

  /** The head of commits not announced yet. */
  let unannounced: number | undefined
  /** When the last head was posted (ms, `performance.now()`). */
  let postedAt = -Infinity
  const postHead = () => {
    if (unannounced === undefined || disposed) return
    channel?.postMessage({ kind: 'head', head: unannounced } satisfies HeadMessage)
    unannounced = undefined
    postedAt = performance.now()
  }

  const onReturn = () => {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return
    // Whatever was missed meanwhile (a compaction among it) must not be decided on: forget the
    // cached streams before anything else runs, then read what happened.
    host.dropCaches()
    void catchUp()
  }
  const stopWatching = watchPage(onReturn, postHead)

  return {
    announce(head) {
      if (disposed || !channel) return
      // Posted from a task of its own, one message for every commit made meanwhile, and at most
      // one a frame (16 ms): a post costs ~70 µs of this thread in Chromium 156, a third of a
      // small command's own work, so a tab writing one command at a time would spend a quarter of
      // its time telling the others. A lone commit is still posted in the next task.
      if (unannounced === undefined) setTimeout(postHead, Math.max(0, postedAt + announceEvery - performance.now()))
      unannounced = Math.max(unannounced ?? 0, head)
    },
    hearing: channel !== undefined,
    announceCompaction(phase) {
      if (disposed || !channel) return
      postHead()
      channel.postMessage({ kind: phase === 'start' ? 'compacting' : 'compacted' } satisfies CompactedMessage)
    },
    catchUp,
    dispose() {
      if (disposed) return
      postHead()
      disposed = true
      channel?.close()
      stopWatching()
    },
  }
}

/**
 * Calls `onReturn` when the page comes back (focus, `pageshow`, visible again, `resume`) and
 * `onHide` on `pagehide`; returns what stops it. Does nothing where there is no window or document.
 */
function watchPage(onReturn: () => void, onHide: () => void): () => void {
  const windowEvents = ['focus', 'pageshow'] as const
  const documentEvents = ['visibilitychange', 'resume'] as const
  const hasWindow = typeof window !== 'undefined' && typeof window.addEventListener === 'function'
  const hasDocument = typeof document !== 'undefined' && typeof document.addEventListener === 'function'
  if (hasWindow) {
    for (const type of windowEvents) window.addEventListener(type, onReturn)
    window.addEventListener('pagehide', onHide)
  }
  if (hasDocument) for (const type of documentEvents) document.addEventListener(type, onReturn)
  return () => {
    if (hasWindow) {
      for (const type of windowEvents) window.removeEventListener(type, onReturn)
      window.removeEventListener('pagehide', onHide)
    }
    if (hasDocument) for (const type of documentEvents) document.removeEventListener(type, onReturn)
  }
}
