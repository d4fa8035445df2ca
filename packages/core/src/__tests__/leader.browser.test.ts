import { afterEach, describe, expect, it } from 'vitest'
import { filter, firstValueFrom } from 'rxjs'
import { createStore, indexedDbStorage, memoryStorage, type Store, type StoreOptions } from '../index'
import { boardView, commands } from './fixtures'

const stores: Store[] = []
let counter = 0
const uniqueName = () => `leader-${Date.now()}-${counter++}`
const open = (name: string, extra: Partial<StoreOptions> = {}) => {
  const store = createStore({ name, commands, projections: [boardView], storage: indexedDbStorage(), ...extra })
  stores.push(store)
  return store
}
const leads = (store: Store) => firstValueFrom(store.isLeader$.pipe(filter(Boolean)))

/** Resolves with the next message on a channel that matches. */
function nextMessage(channelName: string, match: (data: { kind?: string }) => boolean) {
  const channel = new BroadcastChannel(channelName)
  return new Promise<void>((resolve) => {
    channel.onmessage = (event: MessageEvent<{ kind?: string }>) => {
      if (!match(event.data)) return
      channel.close()
      resolve()
    }
  })
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)))
})

describe('leadership among tabs (Web Locks, real Chromium)', () => {
  it('one store leads at a time, and the next one leads when it closes', async () => {
    const name = uniqueName()
    const first = open(name)
    await leads(first)
    const second = open(name)
    const third = open(name)
    await Promise.all([second.ready, third.ready])
    // The lock is held, so the others can only be queued behind it.
    const held = await navigator.locks.query()
    expect(held.held?.filter((l) => l.name === `chronicle:${name}:leader`)).toHaveLength(1)
    expect([first.isLeader, second.isLeader, third.isLeader]).toEqual([true, false, false])

    await first.close()
    expect(first.isLeader).toBe(false)
    await leads(second)
    expect(third.isLeader).toBe(false)
  })

  it('takes over from a holder that keeps the lock but stopped answering', async () => {
    const name = uniqueName()
    // A hung tab: it holds the leader lock and never says a word on the channel.
    const stolen = navigator.locks.request(`chronicle:${name}:leader`, () => new Promise<void>(() => undefined)).catch((e: unknown) => e)
    const follower = open(name, { leadership: { heartbeatInterval: 50, timeout: 150 } })
    await leads(follower)
    const error = await stolen
    expect(error).toBeInstanceOf(DOMException)
    expect((error as DOMException).name).toBe('AbortError')
  })

  it('does not take over from a leader that answers its probes', async () => {
    const name = uniqueName()
    // The leader's own heartbeats are far apart (a throttled background tab)...
    const leader = open(name, { leadership: { heartbeatInterval: 60_000, timeout: 60_000 } })
    await leads(leader)
    const channelName = `chronicle:${name}:leader`
    const firstProbe = nextMessage(channelName, (m) => m.kind === 'probe')
    const follower = open(name, { leadership: { heartbeatInterval: 40, timeout: 80 } })
    await firstProbe
    // ...but it answers each probe at once. A follower probes again only after an answer; had the
    // answer not come, it would have taken over instead.
    await nextMessage(channelName, (m) => m.kind === 'heartbeat')
    await nextMessage(channelName, (m) => m.kind === 'probe')
    expect(follower.isLeader).toBe(false)
    expect(leader.isLeader).toBe(true)
  })

  it('a store on memory storage leads alone', async () => {
    const store = createStore({ name: uniqueName(), commands, storage: memoryStorage() })
    stores.push(store)
    expect(store.isLeader).toBe(true)
    await store.close()
    expect(store.isLeader).toBe(false)
  })
})
