// The e2e domain: lists of items. Each addItem writes two events (the item and the list's new
// total), so a half-written command would show in the log, and a command decided on a stale state
// would write a wrong total.
import * as v from 'valibot'
import { defineAggregate, defineCommand, defineEvent, defineProjection, RuleViolation } from '@chronicle/core'

export const ItemAdded = defineEvent('ItemAdded', v.object({ item: v.string(), tab: v.string() }))
export const Tallied = defineEvent('Tallied', v.object({ total: v.number() }))

const list = defineAggregate({
  name: 'list',
  events: [ItemAdded, Tallied],
  initial: () => ({ items: {} as Record<string, true>, total: 0 }),
  evolve: {
    ItemAdded: (draft, e) => {
      draft.items[e.item] = true
    },
    Tallied: (draft, e) => {
      draft.total = e.total
    },
  },
})

export const addItem = defineCommand({
  type: 'addItem',
  schema: v.object({ list: v.string(), item: v.string(), tab: v.string() }),
  aggregate: list,
  stream: (c) => `list-${c.list}`,
  handle: (state, c) => {
    if (state.items[c.item]) throw new RuleViolation('item-exists', `Item ${c.item} is already on list ${c.list}`)
    return [ItemAdded({ item: c.item, tab: c.tab }), Tallied({ total: state.total + 1 })]
  },
})

/** The read models, at a version: a higher version makes a store rebuild them from the log. */
export function projectionsAt(version: number) {
  const lists = defineProjection({
    name: 'lists',
    version,
    events: [ItemAdded, Tallied],
    initial: {} as Record<string, { items: number; total: number }>,
    on: {
      ItemAdded: (draft, _e, envelope) => {
        ;(draft[envelope.stream] ??= { items: 0, total: 0 }).items++
      },
      Tallied: (draft, e, envelope) => {
        ;(draft[envelope.stream] ??= { items: 0, total: 0 }).total = e.total
      },
    },
  })
  /** The commands in the order the log holds them. */
  const order = defineProjection({
    name: 'order',
    version,
    events: [ItemAdded],
    initial: [] as string[],
    on: {
      ItemAdded: (draft, _e, envelope) => {
        draft.push(envelope.meta.commandId)
      },
    },
  })
  return { lists, order }
}
