import { isChronicleError, type CommandInput, type CommandOptions, type Store } from '@chronicle/core'
import { boardView } from './boardView'
import { createBoard } from './boardCommands'
import { addCard, archiveCard, assignCard, moveCard } from './cardCommands'
import { addChecklistItem, commentOnCard, toggleChecklistItem } from './detailCommands'
import type { PersonId } from './people'

/** The board the demo opens. */
export const demoBoardId = 'main'

/** One seed command and the person who issues it. */
export interface SeedStep {
  readonly command: CommandInput
  readonly principal: { readonly userId: PersonId }
}

interface SeedCard {
  readonly id: string
  readonly title: string
  readonly description?: string
  readonly by: PersonId
  /** Days before `now` (fractions allowed) of each step. */
  readonly added: number
  readonly assignee?: PersonId
  readonly checklist?: readonly (readonly [text: string, doneAt: number | null])[]
  readonly comments?: readonly (readonly [by: PersonId, text: string, at: number])[]
  readonly moves?: readonly (readonly [columnId: string, at: number, by: PersonId])[]
  readonly archived?: number
}

const cards: readonly SeedCard[] = [
  { id: 'monitoring', title: 'Set up error monitoring', by: 'alan', added: 9, assignee: 'alan', description: 'Catch exceptions in production with source maps, and alert the on-call person.', checklist: [['Pick a provider', null], ['Upload source maps from CI', null]] },
  { id: 'pricing-faq', title: 'Write the pricing page FAQ', by: 'katherine', added: 6.5, assignee: 'katherine' },
  { id: 'shortcuts', title: 'Keyboard shortcuts cheat sheet', by: 'ada', added: 3.2, description: 'One page listing every shortcut of the app, linked from the help menu.' },
  { id: 'emails', title: 'Localize the onboarding emails', by: 'grace', added: 1.4, assignee: 'grace' },
  {
    id: 'offline', title: 'Offline mode for the web app', by: 'ada', added: 8, assignee: 'ada',
    description: 'The app should open and keep working without a network, and catch up when it is back.',
    checklist: [['Service worker caches the app shell', 2], ['Queue writes while offline', null]],
    comments: [['grace', 'Let us test it on the train Wi-Fi before we call it done.', 1.8]],
    moves: [['doing', 4, 'ada']],
  },
  { id: 'invoices', title: 'Invoice PDF export', by: 'grace', added: 7, assignee: 'alan', moves: [['doing', 2.5, 'alan']] },
  {
    id: 'blog', title: 'Launch blog post', by: 'katherine', added: 10, assignee: 'katherine',
    checklist: [['First draft', 5], ['Screenshots', 3.5], ['Legal review', null]],
    comments: [['ada', 'Legal said they need until Thursday.', 1.1]],
    moves: [['doing', 6, 'katherine'], ['review', 3, 'katherine']],
  },
  { id: 'signup', title: 'Sign-up form validation', by: 'grace', added: 13, assignee: 'grace', moves: [['doing', 12, 'grace'], ['review', 11, 'grace'], ['done', 10.5, 'alan']] },
  { id: 'dark-mode', title: 'Dark mode for the dashboard', by: 'ada', added: 12.5, assignee: 'ada', checklist: [['Colour tokens', 10], ['Charts', 9]], moves: [['doing', 11.5, 'ada'], ['review', 9, 'ada'], ['done', 8.2, 'katherine']] },
  { id: 'ci', title: 'Migrate CI to the new runners', by: 'alan', added: 11, assignee: 'alan', moves: [['doing', 10, 'alan'], ['review', 7.5, 'alan'], ['done', 7, 'grace']] },
  { id: 'interviews', title: 'Customer interview notes', by: 'katherine', added: 9.5, assignee: 'katherine', comments: [['alan', 'Three of five asked for offline support.', 5.5]], moves: [['doing', 7, 'katherine'], ['done', 5, 'katherine']] },
  { id: 'password-reset', title: 'Password reset flow', by: 'grace', added: 8.5, assignee: 'grace', checklist: [['Email template', 4], ['Rate limiting', 2.2]], moves: [['doing', 5.5, 'grace'], ['review', 2.1, 'grace'], ['done', 1.2, 'ada']] },
  { id: 'ab-test', title: 'Old landing page A/B test', by: 'alan', added: 13.5, archived: 6 },
]

/**
 * The commands that fill the demo board with a believable two weeks of work, in time order.
 * Each has a stable commandId, so seeding twice (two tabs at once) writes everything once.
 */
export function seedSteps(now: number): SeedStep[] {
  const day = 86_400_000
  const boardId = demoBoardId
  const timed: { at: number; by: PersonId; make: (options: CommandOptions) => CommandInput }[] = []
  const at = (daysAgo: number) => Math.round(now - daysAgo * day)
  const step = (daysAgo: number, by: PersonId, make: (options: CommandOptions) => CommandInput) => timed.push({ at: at(daysAgo), by, make })

  step(14, 'ada', (o) =>
    createBoard(
      {
        boardId,
        name: 'Product launch',
        columns: [
          { columnId: 'todo', name: 'To do' },
          { columnId: 'doing', name: 'In progress', wipLimit: 3 },
          { columnId: 'review', name: 'Review', wipLimit: 2 },
          { columnId: 'done', name: 'Done', done: true },
        ],
      },
      o,
    ),
  )
  for (const card of cards) {
    const cardId = card.id
    step(card.added, card.by, (o) => addCard({ boardId, cardId, columnId: 'todo', title: card.title, description: card.description ?? '' }, o))
    if (card.assignee) step(card.added - 0.01, card.by, (o) => assignCard({ boardId, cardId, assignee: card.assignee! }, o))
    card.checklist?.forEach(([text, doneAt], index) => {
      const itemId = `${cardId}-item-${index}`
      step(card.added - 0.02, card.by, (o) => addChecklistItem({ boardId, cardId, itemId, text }, o))
      if (doneAt !== null) step(doneAt, card.assignee ?? card.by, (o) => toggleChecklistItem({ boardId, cardId, itemId, done: true }, o))
    })
    card.comments?.forEach(([by, text, when], index) => step(when, by, (o) => commentOnCard({ boardId, cardId, commentId: `${cardId}-comment-${index}`, text }, o)))
    for (const [to, when, by] of card.moves ?? []) step(when, by, (o) => moveCard({ boardId, cardId, to, position: 0 }, o))
    if (card.archived !== undefined) step(card.archived, card.by, (o) => archiveCard({ boardId, cardId }, o))
  }
  return timed
    .sort((a, b) => a.at - b.at)
    .map((t, index) => ({ command: t.make({ commandId: `seed:${boardId}:${index + 1}`, at: t.at }), principal: { userId: t.by } }))
}

/**
 * Seeds the demo board unless it exists; resolves when every seed command is committed. Tabs take
 * turns (a Web Lock where the browser has one), and a seeder that finds another one's work (a
 * duplicate command id, or the board created under it) stops there.
 */
export async function seedDemoBoard(store: Store, now = Date.now()): Promise<void> {
  const seed = async () => {
    // Catch up with what other tabs wrote before deciding.
    await store.settled()
    if (store.read(boardView).boards[demoBoardId]) return
    for (const [index, { command, principal }] of seedSteps(now).entries()) {
      try {
        // Seed data is not the user's own work: it stays off the undo stack.
        const receipt = await store.dispatch(command, { principal, undoable: false })
        if (receipt.duplicate) return
      } catch (error) {
        if (index === 0 && isChronicleError(error, 'RuleViolation') && error.code === 'board-exists') return
        throw error
      }
    }
  }
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks
  if (locks) await locks.request(`chronicle-seed:${store.name}`, seed)
  else await seed()
}
