import { describe, expect, it } from 'vitest'
import { given } from '@chronicle/core/testing'
import {
  addCard,
  addChecklistItem,
  archiveCard,
  assignCard,
  BoardCreated,
  CardAdded,
  CardArchived,
  CardEdited,
  CardMoved,
  CardRestored,
  ChecklistItemAdded,
  ChecklistItemToggled,
  commentOnCard,
  createBoard,
  editCard,
  moveCard,
  recordCompletion,
  restoreCard,
  setWipLimit,
  toggleChecklistItem,
  WipLimitSet,
} from '../domain'

const ada = { principal: { userId: 'ada' } }
const boardId = 'b1'
const created = BoardCreated({
  boardId,
  by: 'ada',
  name: 'Launch',
  columns: [
    { columnId: 'todo', name: 'To do', wipLimit: null, done: false },
    { columnId: 'doing', name: 'In progress', wipLimit: 2, done: false },
    { columnId: 'done', name: 'Done', wipLimit: null, done: true },
  ],
})
const card = (cardId: string, columnId = 'todo', position = 99) => CardAdded({ boardId, by: 'ada', cardId, columnId, position, title: `Card ${cardId}`, description: '' })
const item = (cardId: string, itemId: string) => ChecklistItemAdded({ boardId, by: 'ada', cardId, itemId, text: `Item ${itemId}` })

describe('creating boards and cards', () => {
  it('creates a board once, with default column options', async () => {
    const outcome = await given().when(createBoard, { boardId, name: ' Launch ', columns: [{ columnId: 'todo', name: 'To do' }, { columnId: 'done', name: 'Done', done: true }] }, ada)
    outcome.expectEvents([
      BoardCreated({ boardId, by: 'ada', name: 'Launch', columns: [{ columnId: 'todo', name: 'To do', wipLimit: null, done: false }, { columnId: 'done', name: 'Done', wipLimit: null, done: true }] }),
    ])
    ;(await given(created).when(createBoard, { boardId, name: 'Again', columns: [{ columnId: 'x', name: 'X' }] }, ada)).expectError('RuleViolation', 'board-exists')
  })

  it('adds a card at the bottom of its column, signed by the acting person', async () => {
    const outcome = await given(created, card('c1')).when(addCard, { boardId, cardId: 'c2', columnId: 'todo', title: '  Write docs ' }, { principal: { userId: 'grace' } })
    outcome.expectEvents([CardAdded({ boardId, by: 'grace', cardId: 'c2', columnId: 'todo', position: 1, title: 'Write docs', description: '' })])
  })

  it('refuses commands from someone outside the team, or with no one picked', async () => {
    ;(await given(created).when(addCard, { boardId, cardId: 'c1', columnId: 'todo', title: 'x' }, { principal: { userId: 'mallory' } })).expectError('Unauthorized', 'unknown-person')
    ;(await given(created).when(addCard, { boardId, cardId: 'c1', columnId: 'todo', title: 'x' })).expectError('Unauthorized', 'unknown-person')
  })

  it('refuses an empty title with the schema message, and unknown boards, columns and duplicate ids', async () => {
    const empty = await given(created).when(addCard, { boardId, cardId: 'c1', columnId: 'todo', title: '   ' }, ada)
    empty.expectError('ValidationError', 'invalid-command')
    expect(empty.error?.message).toContain('Give the card a title')
    ;(await given().when(addCard, { boardId, cardId: 'c1', columnId: 'todo', title: 'x' }, ada)).expectError('RuleViolation', 'board-missing')
    ;(await given(created).when(addCard, { boardId, cardId: 'c1', columnId: 'nope', title: 'x' }, ada)).expectError('RuleViolation', 'column-missing')
    ;(await given(created, card('c1')).when(addCard, { boardId, cardId: 'c1', columnId: 'todo', title: 'x' }, ada)).expectError('RuleViolation', 'card-exists')
  })
})

describe('the WIP limit', () => {
  it('refuses a card added to a full column, with a message that names the column and the limit', async () => {
    const outcome = await given(created, card('a', 'doing'), card('b', 'doing')).when(addCard, { boardId, cardId: 'c', columnId: 'doing', title: 'x' }, ada)
    outcome.expectError('RuleViolation', 'wip-limit')
    expect(outcome.error?.message).toBe('“In progress” is at its WIP limit of 2. Finish or move a card out of it first, or raise the limit.')
  })

  it('refuses a move into a full column but allows reordering inside it', async () => {
    const full = [created, card('a', 'doing'), card('b', 'doing'), card('c')] as const
    ;(await given(...full).when(moveCard, { boardId, cardId: 'c', to: 'doing', position: 0 }, ada)).expectError('RuleViolation', 'wip-limit')
    ;(await given(...full).when(moveCard, { boardId, cardId: 'b', to: 'doing', position: 0 }, ada)).expectEvents([
      CardMoved({ boardId, by: 'ada', cardId: 'b', from: 'doing', to: 'doing', position: 0 }),
    ])
  })

  it('counts archived cards out and follows limit changes', async () => {
    const history = [created, card('a', 'doing'), card('b', 'doing'), card('c'), CardArchived({ boardId, by: 'ada', cardId: 'a', columnId: 'doing' })] as const
    ;(await given(...history).when(moveCard, { boardId, cardId: 'c', to: 'doing', position: 5 }, ada)).expectEvents([
      CardMoved({ boardId, by: 'ada', cardId: 'c', from: 'todo', to: 'doing', position: 1 }),
    ])
    const lowered = WipLimitSet({ boardId, by: 'ada', columnId: 'doing', limit: 1 })
    ;(await given(...history, lowered).when(moveCard, { boardId, cardId: 'c', to: 'doing', position: 0 }, ada)).expectError('RuleViolation', 'wip-limit')
  })

  it('sets limits within reason', async () => {
    ;(await given(created).when(setWipLimit, { boardId, columnId: 'doing', limit: 4 }, ada)).expectEvents([WipLimitSet({ boardId, by: 'ada', columnId: 'doing', limit: 4 })])
    ;(await given(created).when(setWipLimit, { boardId, columnId: 'doing', limit: 2 }, ada)).expectEvents([])
    ;(await given(created, card('a', 'doing'), card('b', 'doing')).when(setWipLimit, { boardId, columnId: 'doing', limit: 1 }, ada)).expectError('RuleViolation', 'limit-below-count')
    ;(await given(created).when(setWipLimit, { boardId, columnId: 'done', limit: 3 }, ada)).expectError('RuleViolation', 'done-limit')
    ;(await given(created).when(setWipLimit, { boardId, columnId: 'doing', limit: 0 }, ada)).expectError('ValidationError')
  })
})

describe('the Done rule', () => {
  const toggled = (itemId: string, done: boolean) => ChecklistItemToggled({ boardId, by: 'ada', cardId: 'c', itemId, done })

  it('refuses a card with open checklist items and says how many', async () => {
    const outcome = await given(created, card('c'), item('c', 'i1'), item('c', 'i2'), toggled('i1', true)).when(moveCard, { boardId, cardId: 'c', to: 'done', position: 0 }, ada)
    outcome.expectError('RuleViolation', 'open-checklist')
    expect(outcome.error?.message).toBe('“Card c” has 1 open checklist item. Tick it off before moving the card to “Done”.')
  })

  it('lets a card with a complete checklist (or none) in', async () => {
    ;(await given(created, card('c'), item('c', 'i1'), toggled('i1', true)).when(moveCard, { boardId, cardId: 'c', to: 'done', position: 0 }, ada)).expectEvents([
      CardMoved({ boardId, by: 'ada', cardId: 'c', from: 'todo', to: 'done', position: 0 }),
    ])
  })

  it('keeps a Done card complete: no new or reopened checklist items there', async () => {
    const done = [created, card('c'), item('c', 'i1'), toggled('i1', true), CardMoved({ boardId, by: 'ada', cardId: 'c', from: 'todo', to: 'done', position: 0 })] as const
    ;(await given(...done).when(addChecklistItem, { boardId, cardId: 'c', itemId: 'i2', text: 'More' }, ada)).expectError('RuleViolation', 'card-done')
    ;(await given(...done).when(toggleChecklistItem, { boardId, cardId: 'c', itemId: 'i1', done: false }, ada)).expectError('RuleViolation', 'card-done')
  })
})

describe('archived cards', () => {
  const archived = [created, card('c'), item('c', 'i1'), CardArchived({ boardId, by: 'ada', cardId: 'c', columnId: 'todo' })] as const

  it('refuses every change until the card is restored', async () => {
    const attempts = [
      given(...archived).when(editCard, { boardId, cardId: 'c', title: 'New' }, ada),
      given(...archived).when(moveCard, { boardId, cardId: 'c', to: 'doing', position: 0 }, ada),
      given(...archived).when(assignCard, { boardId, cardId: 'c', assignee: 'grace' }, ada),
      given(...archived).when(commentOnCard, { boardId, cardId: 'c', commentId: 'm1', text: 'Hi' }, ada),
      given(...archived).when(addChecklistItem, { boardId, cardId: 'c', itemId: 'i2', text: 'x' }, ada),
      given(...archived).when(toggleChecklistItem, { boardId, cardId: 'c', itemId: 'i1', done: true }, ada),
    ]
    for (const outcome of await Promise.all(attempts)) {
      outcome.expectError('RuleViolation', 'card-archived')
      expect(outcome.error?.message).toBe('“Card c” is archived. Restore it before changing it.')
    }
  })

  it('archives once and restores to the bottom of the same column, under its rules', async () => {
    ;(await given(...archived).when(archiveCard, { boardId, cardId: 'c' }, ada)).expectEvents([])
    ;(await given(...archived, card('d')).when(restoreCard, { boardId, cardId: 'c' }, ada)).expectEvents([CardRestored({ boardId, by: 'ada', cardId: 'c', columnId: 'todo', position: 1 })])
    const inDoing = [created, card('c', 'doing'), CardArchived({ boardId, by: 'ada', cardId: 'c', columnId: 'doing' }), card('a', 'doing'), card('b', 'doing')] as const
    ;(await given(...inDoing).when(restoreCard, { boardId, cardId: 'c' }, ada)).expectError('RuleViolation', 'wip-limit')
  })
})

describe('editing, assigning and completing', () => {
  it('writes only the fields that changed', async () => {
    ;(await given(created, card('c')).when(editCard, { boardId, cardId: 'c', title: 'Card c', description: 'Details' }, ada)).expectEvents([
      CardEdited({ boardId, by: 'ada', cardId: 'c', description: 'Details' }),
    ])
    ;(await given(created, card('c')).when(editCard, { boardId, cardId: 'c', title: ' Card c ' }, ada)).expectEvents([])
  })

  it('assigns team members only, and not twice', async () => {
    ;(await given(created, card('c')).when(assignCard, { boardId, cardId: 'c', assignee: 'mallory' as 'ada' }, ada)).expectError('ValidationError')
    ;(await given(created, card('c')).when(assignCard, { boardId, cardId: 'c', assignee: null }, ada)).expectEvents([])
  })

  it('measures cycle time from the first start of work, or from creation', async () => {
    const hour = 3_600_000
    const history = [created, card('c'), CardMoved({ boardId, by: 'ada', cardId: 'c', from: 'todo', to: 'doing', position: 0 })] as const
    // given() stamps every history event at 0, so the card started at 0.
    const outcome = await given(...history).when(recordCompletion, { boardId, cardId: 'c', completedAt: 5 * hour }, ada)
    expect(outcome.events).toEqual([{ type: 'CardCompleted', payload: { boardId, cardId: 'c', startedAt: 0, completedAt: 5 * hour, cycleTimeMs: 5 * hour } }])
  })
})
