import type { CommitTarget } from './dispatcher'
import { asChronicleError, type StoreKernel } from './kernel'
import type { TabChannel } from './tabs'

/**
 * The dispatcher's commit target without sync: the local event log. A batch is appended in one
 * transaction (trusting cached stream versions only while this tab hears the others); while it
 * commits, the read models fold its events ahead on the positions they will get if nobody else
 * writes in between (checked when they are published); once committed, the other tabs hear of the
 * new head and the read models apply the events.
 */
export function localLog(kernel: StoreKernel, tabs: TabChannel | undefined): CommitTarget {
  return {
    append: (batch) => kernel.log().append(batch, { trust: tabs?.hearing ?? true }),
    appending(events) {
      if (kernel.ingesting) return
      let seq = kernel.readModels.position
      // Shown now (optimistic read models), in the task of the dispatch when nothing came before it.
      kernel.readModels.speculate(events.map((event) => ({ ...event, seq: ++seq })))
    },
    notCommitted: notCommitted(kernel),
    committed(events) {
      tabs?.announce(events.at(-1)!.seq)
      return kernel.ingest(events, true)
    },
    ...logQueries(kernel),
  }
}

/** Takes back the batch shown ahead of its commit (with sync on or off); a failure is reported on `errors$` too. */
export function notCommitted(kernel: StoreKernel): CommitTarget['notCommitted'] {
  return (error) => {
    // Components that showed the events learn why they are gone, not only the dispatch's caller.
    if (kernel.readModels.abandon() && error !== undefined) kernel.errors.emit(asChronicleError(error))
  }
}

/** What the dispatcher asks of the confirmed log, with sync on or off. */
export function logQueries(kernel: StoreKernel): Pick<CommitTarget, 'streamChanged' | 'findCommand'> {
  return {
    // Changed since `version`: newer events, or (another tab compacted) a snapshot beyond it.
    streamChanged: async (stream, version) =>
      (await kernel.log().readStream(stream, version)).length > 0 || ((await kernel.log().compaction?.loadStreamSnapshot(stream))?.version ?? 0) > version,
    findCommand: (commandId) => kernel.log().findCommand(commandId),
  }
}
