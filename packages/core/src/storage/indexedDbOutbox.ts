import type { EventEnvelope } from '../event'
import type { CommandRecord, IndexedDbLog } from './indexedDbSchema'
import type { OutboxStorage } from './storage'
import { unawaited } from './indexedDbErrors'

/**
 * The sync outbox of an IndexedDB event log: commands waiting for the server in the `outbox` store
 * (in `order`), and the confirmed events the server sends back, appended with the outbox entries
 * they settle and the sync position in one transaction.
 */
export function indexedDbOutbox({ db, writing, guard }: IndexedDbLog): OutboxStorage {
  return {
    putPending: (commands) =>
      guard('Adding to the outbox', async () => {
        const tx = db.transaction('outbox', 'readwrite', writing)
        const last = await tx.store.index('order').openKeyCursor(null, 'prev')
        let order = last ? last.key : 0
        const stored = commands.map((c) => ({ ...c, order: ++order }))
        for (const command of stored) unawaited(tx.store.put(command))
        await tx.done
        return stored
      }),

    readPending: () => guard('Reading the outbox', () => db.getAllFromIndex('outbox', 'order')),

    receive: (receipt) =>
      guard('Storing confirmed events', async () => {
        const tx = db.transaction(['events', 'outbox', 'commands', 'meta'], 'readwrite', writing)
        const meta = tx.objectStore('meta')
        const known = ((await meta.get('sync.position')) as number | undefined) ?? 0
        const fresh = receipt.events.filter((e) => e.position > known).map(({ position: _position, ...event }) => event)
        const keys = fresh.map((event) => tx.objectStore('events').add(event as EventEnvelope))
        for (const commandId of receipt.settled) unawaited(tx.objectStore('outbox').delete(commandId))
        unawaited(meta.put(Math.max(known, receipt.position), 'sync.position'))
        const seqs = await Promise.all(keys)
        const written = fresh.map((event, i) => ({ ...event, seq: seqs[i]! }))
        // Whether a confirmed command had an explicit id is not known here: each one gets its record.
        await recordCommands(tx.objectStore('commands'), written)
        await tx.done
        return written
      }),

    syncPosition: () => guard('Reading the sync position', async () => ((await db.get('meta', 'sync.position')) as number | undefined) ?? 0),
  }
}

/** Puts (or widens) the CommandRecord of each command among `events`, inside `tx`. */
async function recordCommands(
  records: { get(commandId: string): Promise<CommandRecord | undefined>; put(record: CommandRecord): Promise<unknown> },
  events: readonly EventEnvelope[],
): Promise<void> {
  const ranges = new Map<string, { first: number; last: number }>()
  for (const { seq, meta } of events) {
    const range = ranges.get(meta.commandId)
    if (range) range.last = seq
    else ranges.set(meta.commandId, { first: seq, last: seq })
  }
  await Promise.all(
    [...ranges].map(async ([commandId, range]) => {
      // A command's events may come in two receipts (a page of the server's log ended inside it).
      const known = await records.get(commandId)
      await records.put({ ...known, commandId, first: Math.min(known?.first ?? range.first, range.first), last: Math.max(known?.last ?? range.last, range.last) } satisfies CommandRecord)
    }),
  )
}
