// The core tests' Kanban domain, plus an archive (a reaction's follow-up, for causation chains).
import { vi } from 'vitest'
import * as v from 'valibot'
import { createStore, defineAggregate, defineCommand, defineEvent, defineProjection, defineReaction, memoryStorage, type StorageBackend, type Store } from '@chronicle/core'
import { addCard, boardView, CardMoved, moveCard, titles } from '../../../core/src/__tests__/fixtures'

export { addCard, boardView, moveCard, titles }

export const CardArchived = defineEvent('CardArchived', v.object({ cardId: v.string() }))

const archive = defineAggregate({
  name: 'archive',
  events: [CardArchived],
  initial: () => ({ ids: [] as string[] }),
  evolve: {
    CardArchived: (draft, e) => {
      draft.ids.push(e.cardId)
    },
  },
})

export const archiveCard = defineCommand({
  type: 'archiveCard',
  schema: v.object({ cardId: v.string() }),
  aggregate: archive,
  stream: () => 'archive',
  handle: (_state, cmd) => CardArchived({ cardId: cmd.cardId }),
})

export const archived = defineProjection({
  name: 'archived',
  version: 1,
  events: [CardArchived],
  initial: { ids: [] as string[] },
  on: {
    CardArchived: (draft, e) => {
      draft.ids.push(e.cardId)
    },
  },
})

/** A card moved to `done` is archived by a follow-up command (on the stream `archive`). */
export const archiveDone = defineReaction({
  name: 'archiveDone',
  events: [CardMoved],
  on: {
    CardMoved: (event) => (event.payload.to === 'done' ? archiveCard({ cardId: event.payload.cardId }) : undefined),
  },
})

export const commands = [addCard, moveCard, archiveCard]
export const projections = [boardView, titles, archived]

export function openStore(storage: StorageBackend = memoryStorage(), name = 'kanban'): Store {
  return createStore({ name, commands, projections, reactions: [archiveDone], storage, checkpointInterval: 60_000 })
}

/** Adds `count` cards spread over `boards` boards, one command each. */
export async function addCards(store: Store, count: number, boards = 3, from = 0) {
  for (let i = from; i < from + count; i++) await store.dispatch(addCard({ boardId: `b${i % boards}`, cardId: `c${i}`, title: `card ${i}` }))
}

/** Waits until the log's last event has this type (a reaction's follow-up commits after its trigger's receipt). */
export async function lastEventIs(store: Store, type: string) {
  await vi.waitFor(async () => {
    if ((await store.log()).at(-1)?.type !== type) throw new Error(`waiting for ${type}`)
  })
  await store.settled()
}
