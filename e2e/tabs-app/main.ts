import { createStore, indexedDbStorage, type ChronicleError, type Store } from '@chronicle/core'
// Test-only: a newer build's layout is this build's migrations plus one step.
import { indexedDbStorageWithLayout } from '../../packages/core/src/storage/indexedDb'
import { migrations, type Migration } from '../../packages/core/src/storage/indexedDbLayout'
import type { TabsApi } from './api'
import { addItem, projectionsAt } from './domain'

/** What the next build adds: an index over event types and an outbox store. */
const nextStep: Migration = (database, transaction) => {
  // Every upgrade runs every step: each adds only what is missing.
  const events = transaction.objectStore('events')
  if (!events.indexNames.contains('type')) events.createIndex('type', 'type')
  if (!database.objectStoreNames.contains('attachments')) database.createObjectStore('attachments', { keyPath: 'id' })
}

const live = projectionsAt(1)
let store: Store | undefined
let name = ''
let schema: 'current' | 'next' = 'current'
const errors: { name: string; code: string }[] = []

const storage = () => (schema === 'next' ? indexedDbStorageWithLayout({}, [...migrations, nextStep]) : indexedDbStorage())
const opened = () => {
  if (!store) throw new Error('call tabs.open first')
  return store
}

const api: TabsApi = {
  async open(options) {
    name = options.name
    schema = options.schema ?? 'current'
    const channel = globalThis.BroadcastChannel
    // @ts-expect-error: a deaf page has no BroadcastChannel while its store starts.
    if (options.deaf) delete globalThis.BroadcastChannel
    try {
      store = createStore({
        name,
        commands: [addItem],
        projections: [live.lists, live.order],
        storage: storage(),
        leadership: { heartbeatInterval: options.heartbeatInterval ?? 100, timeout: options.timeout ?? 400 },
      })
    } finally {
      globalThis.BroadcastChannel = channel
    }
    store.errors$.subscribe((error: ChronicleError) => errors.push({ name: error.name, code: error.code }))
    await store.ready
  },

  async burst({ tab, count, lists, ack }) {
    const s = opened()
    const results = await Promise.allSettled(
      Array.from({ length: count }, async (_, i) => {
        const receipt = await s.dispatch(addItem({ list: `l${i % lists}`, item: `${tab}-${i}`, tab }))
        if (ack) window.ack?.(receipt.commandId)
        return receipt.commandId
      }),
    )
    return {
      ok: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
      failed: results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as { code?: unknown }).code ?? r.reason)] : [])),
    }
  },

  state() {
    const s = opened()
    return { position: s.position, isLeader: s.isLeader, errors, lists: s.read(live.lists), order: s.read(live.order) }
  },

  async rebuild() {
    const rebuilt = projectionsAt(2)
    const fresh = createStore({ name, commands: [addItem], projections: [rebuilt.lists, rebuilt.order], storage: storage() })
    try {
      await fresh.ready
      return { lists: fresh.read(rebuilt.lists), order: fresh.read(rebuilt.order) }
    } finally {
      await fresh.close()
    }
  },

  async log() {
    const log = await storage().open(name)
    try {
      return await log.readLog(0)
    } finally {
      log.close()
    }
  },

  layout() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(`chronicle:${name}`)
      request.onerror = () => reject(request.error)
      request.onsuccess = () => {
        const db = request.result
        const eventIndexes = [...db.transaction('events').objectStore('events').indexNames]
        resolve({ version: db.version, stores: [...db.objectStoreNames], eventIndexes })
        db.close()
      }
    })
  },

  close: () => opened().close(),
}

window.tabs = api
