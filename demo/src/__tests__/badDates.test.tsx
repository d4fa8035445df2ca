// The views that show when something happened (the activity feed, a card's comments and history)
// keep working when the log holds a time no Date can show: such an event (`at: 1e308`, written by
// a build from before envelope checks, or by a hostile client through an old server) shows
// "unknown time" instead of failing the page for every member of the team.
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen } from '@testing-library/react'
import { createStore, memoryStorage, type EventEnvelope, type Store } from '@chronicle/core'
import { ChronicleProvider } from '@chronicle/react'
import { boardView, commands, demoBoardId, projections, reactions, seedDemoBoard } from '../domain'
import { ActivityPage } from '../ui/activity/ActivityPage'
import { CardHistory } from '../ui/card/CardHistory'
import { CommentsSection } from '../ui/card/CommentsSection'
import { NoticeProvider } from '../ui/notices'
import { formatDateTime, formatRelative, isoTime } from '../ui/format'

const stores: Store[] = []
const open = (storage: ReturnType<typeof memoryStorage>) => {
  const store = createStore({ name: 'kanban', commands, projections, reactions, storage, principal: { userId: 'ada' } })
  stores.push(store)
  return store
}
afterEach(async () => {
  cleanup()
  await Promise.all(stores.splice(0).map((s) => s.close()))
})

/** Copies of a card's comment event into the log, at times no Date can show (dispatch refuses them now). */
async function writeBadComments(storage: ReturnType<typeof memoryStorage>, comment: EventEnvelope, times: readonly number[]) {
  const log = await storage.open('kanban')
  let version = comment.version
  for (const [i, at] of times.entries()) {
    const commandId = `hostile-${i}`
    const event = { ...comment, id: `bad-${i}`, version: ++version, payload: { ...(comment.payload as object), commentId: `bad-${i}`, text: `from nowhere ${i}` }, meta: { ...comment.meta, commandId, causationId: commandId, correlationId: commandId, at } }
    const { seq: _seq, ...unplaced } = event
    const [outcome] = await log.append([{ commandId, stream: comment.stream, expectedVersion: version - 1, idempotent: false, events: [unplaced] }])
    expect(outcome?.status).toBe('ok')
  }
}

describe('views with times no Date can show', () => {
  it('format helpers answer "unknown time" instead of throwing', () => {
    for (const at of [1e308, -1e308, Infinity, NaN, 8.64e15 + 1]) {
      expect(() => new Intl.DateTimeFormat('en').format(at)).toThrow(RangeError)
      expect(formatDateTime(at)).toBe('unknown time')
      expect(formatRelative(at, Date.now())).toBe('unknown time')
      expect(isoTime(at)).toBeUndefined()
    }
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z')
  })

  it('the activity feed, comments and card history render, showing the bad times as unknown', async () => {
    const storage = memoryStorage()
    const seeding = open(storage)
    await seedDemoBoard(seeding)
    const cardId = Object.values(seeding.read(boardView).cards).find((c) => !c.archived && c.comments.length === 0)!.id
    await seeding.dispatch(commands.find((c) => c.type === 'commentOnCard')!({ boardId: demoBoardId, cardId, commentId: 'ok-1', text: 'a good one' } as never))
    const comment = (await seeding.log()).findLast((e) => e.type === 'CommentAdded')!
    await seeding.close()
    await writeBadComments(storage, comment, [1e308, -1e308])

    const store = open(storage)
    await store.ready
    const card = store.read(boardView).cards[cardId]!
    expect(card.comments.map((c) => c.at)).toEqual([comment.meta.at, 1e308, -1e308])
    render(
      <ChronicleProvider store={store}>
        <NoticeProvider>
          <ActivityPage />
          <CommentsSection card={card} />
          <CardHistory cardId={cardId} />
        </NoticeProvider>
      </ChronicleProvider>,
    )
    expect(screen.getByRole('heading', { name: 'Unknown day' })).toBeTruthy()
    // Two comments in the feed, two in the comments, two in the history.
    expect(screen.getAllByText('unknown time')).toHaveLength(6)
    expect(screen.getAllByText(/from nowhere 0/).length).toBeGreaterThan(0)
    expect(screen.getAllByText('a good one').length).toBeGreaterThan(0)
  })
})
