import type { Subscription } from 'rxjs'
import type { StoreKernel } from './kernel'
import { createLeadership, soleLeadership, type Leadership } from './leader'
import { createTabChannel, type TabChannel } from './tabs'

/** A store's link to the other tabs that share its log (docs/tabs.md). */
export interface TabsLink {
  /** The channel other tabs' commits arrive by; undefined when the log is not shared (memory storage). */
  readonly tabs: TabChannel | undefined
  /** Which tab leads (runs sync and compaction); a store on memory storage always leads. */
  readonly leadership: Leadership
  /** Stops following the other tabs and leading them (the store shut down). */
  leave(): void
}

/**
 * Joins the tabs that share the store's IndexedDB log: other tabs' commits arrive by
 * BroadcastChannel and are applied like this tab's own (without reactions), and one tab at a time
 * leads (Web Locks). A store whose log is not shared gets no channel and leads alone.
 */
export function joinTabs(kernel: StoreKernel, ready: Promise<void>): TabsLink {
  if (!kernel.sharedLog) {
    const leadership = soleLeadership()
    return { tabs: undefined, leadership, leave: () => leadership.dispose() }
  }
  const { readModels, writeModel } = kernel
  const tabs = createTabChannel({
    name: kernel.name,
    ready,
    position: () => readModels.position,
    head: () => kernel.log().head(),
    readLog: kernel.readDecoded,
    followHorizon: () => kernel.enqueue(() => kernel.followHorizon()),
    dropCaches: () => writeModel.clear(),
    apply(events) {
      // Another tab wrote these streams: the next command on them reads the new events first.
      for (const event of events) if (event.meta.origin !== kernel.origin) writeModel.drop(event.stream)
      return kernel.ingest(events, false)
    },
    report: (error) => kernel.errors.emit(error),
  })
  const leadership = createLeadership(
    kernel.name,
    kernel.origin,
    {
      position: () => readModels.position,
      // A heartbeat ahead of this tab means it missed announcements (it was paused or frozen).
      heard: (head) => void (head > readModels.position && tabs.catchUp(head)),
    },
    kernel.options.leadership,
  )
  // A tab that closed or crashed may have committed a last batch it never got to announce: the
  // tab that leads next reads the log up to the stored head, and its heartbeats tell the others.
  const takingOver: Subscription = leadership.isLeader$.subscribe((leads) => {
    if (leads) void tabs.catchUp()
  })
  const leave = () => {
    takingOver.unsubscribe()
    tabs.dispose()
    leadership.dispose()
  }
  // Never opened: neither follow other tabs nor lead them (dispatch still rejects with why).
  ready.catch(leave)
  return { tabs, leadership, leave }
}
