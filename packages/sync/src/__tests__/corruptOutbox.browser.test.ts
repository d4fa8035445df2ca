// Damaged outbox records in real Chromium IndexedDB, against a real server process: a record that
// cannot make a protocol message is refused on its device (SyncRejected, ValidationError
// `invalid-command`) instead of failing every push after it forever; a record whose local-only
// fields are damaged is still executed by the server; the server refuses what it must. Every
// other command is confirmed, and the outbox ends empty.
import { openDB } from 'idb'
import { afterEach, describe, expect, it } from 'vitest'
import { commands as node } from 'vitest/browser'
import { indexedDbStorage, type Store, type SyncRejection } from '@chronicle/core'
import { type PendingCommand } from '@chronicle/core/sync'
import { addCard, boardView } from '../../../core/src/__tests__/fixtures'
import { openDevice, synced } from './devices'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

function device(url: string, name: string): Store {
  const store = openDevice({ url, storage: indexedDbStorage(), name })
  cleanup.push(() => store.close())
  return store
}

/** Rewrites outbox records with a raw connection, bypassing Chronicle. */
async function damage(name: string, edits: Record<string, (record: PendingCommand) => unknown>) {
  const db = await openDB(`chronicle:${name}`)
  for (const [commandId, edit] of Object.entries(edits)) {
    const record = (await db.get('outbox', commandId)) as PendingCommand
    await db.put('outbox', edit(record))
  }
  db.close()
}

describe('damaged outbox records (real IndexedDB, a real server process)', () => {
  it('refuses what cannot be sent on its device, lets the server decide the rest, and empties the outbox', async () => {
    const url = await node.startSyncServer()
    cleanup.push(() => node.stopSyncServer(url))
    const offline = await node.openLink(url)
    cleanup.push(() => node.closeLink(offline))
    await node.setLink(offline, { down: true })
    const name = `outbox-damage-${Date.now()}`
    const first = device(offline, name)
    const receipts = []
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) receipts.push(await first.dispatch(addCard({ boardId: 'b', cardId: id, title: id })))
    await first.close()
    const [c1, c2, c3, c4, c5] = receipts.map((r) => r.commandId) as [string, string, string, string, string]

    await damage(name, {
      // Not a protocol message: the server would refuse the whole push, again and again.
      [c2]: (record) => ({ ...record, at: 'yesterday' }),
      // Only the device's own bookkeeping is damaged: the server executes it from type and payload.
      [c3]: ({ stream: _stream, ...record }) => ({ ...record, events: 'lost' }),
      // A payload its command's schema refuses: the server says so.
      [c4]: (record) => ({ ...record, payload: { boardId: 'b', cardId: 'c4' } }),
      // A command this domain does not have: the server says so.
      [c5]: (record) => ({ ...record, type: 'dropTable' }),
    })

    const second = device(url, name)
    const rejections: SyncRejection[] = []
    second.sync!.rejections$.subscribe((r) => rejections.push(r))
    await second.ready
    // Only the undamaged command can be shown before the server answers.
    expect(second.read(boardView).columns).toEqual({ todo: ['c1'] })
    await synced(second, 2)

    expect(rejections.map((r) => [r.commandId, r.error.reason.name, r.error.code])).toEqual([
      [c2, 'ValidationError', 'invalid-command'],
      [c4, 'ValidationError', 'invalid-command'],
      [c5, 'ValidationError', 'unknown-command'],
    ])
    expect(rejections[0]!.error.message).toMatch(/stored record is damaged \(at: expected a time in epoch milliseconds/)
    expect(second.sync!.status.pending).toBe(0)
    const log = await indexedDbStorage().open(name)
    expect(await log.outbox!.readPending()).toEqual([])
    expect((await log.readLog(0)).map((e) => e.meta.commandId)).toEqual([c1, c3])
    log.close()
    expect(second.read(boardView).columns).toEqual({ todo: ['c1', 'c3'] })
    // The device keeps working.
    await second.dispatch(addCard({ boardId: 'b', cardId: 'c6', title: 'c6' }))
    await synced(second, 3)
    expect(second.read(boardView).columns).toEqual({ todo: ['c1', 'c3', 'c6'] })
  })
})
