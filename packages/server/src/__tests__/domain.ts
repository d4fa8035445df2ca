// The test domain the sync server tests run: shared lists, with the tenant as the first part of
// every stream name ("acme/list-1"). It is a domain module as the CLI loads it: commands plus
// authenticate, authorize and canRead.
import * as v from 'valibot'
import { defineAggregate, defineCommand, defineEvent, RuleViolation, type CommandContext, type Principal } from '@chronicle/core'

export interface TestPrincipal {
  readonly user: string
  readonly tenant: string
  readonly role: 'member' | 'viewer'
}

/** Bearer tokens the test domain accepts. */
export const tokens = {
  alice: 'token-alice',
  carol: 'token-carol',
  bob: 'token-bob',
  victor: 'token-victor',
} as const

const principals: Record<string, TestPrincipal> = {
  [tokens.alice]: { user: 'alice', tenant: 'acme', role: 'member' },
  [tokens.carol]: { user: 'carol', tenant: 'acme', role: 'member' },
  [tokens.bob]: { user: 'bob', tenant: 'globex', role: 'member' },
  [tokens.victor]: { user: 'victor', tenant: 'acme', role: 'viewer' },
}

const as = (principal: Principal) => principal as TestPrincipal

export const ItemAdded = defineEvent('ItemAdded', v.object({ itemId: v.string(), text: v.string() }))
export const ItemRemoved = defineEvent('ItemRemoved', v.object({ itemId: v.string() }))
export const NoteAppended = defineEvent('NoteAppended', v.object({ text: v.string(), by: v.string() }))

export const list = defineAggregate({
  name: 'list',
  events: [ItemAdded, ItemRemoved, NoteAppended],
  initial: () => ({ items: {} as Record<string, string>, notes: 0 }),
  evolve: {
    ItemAdded: (draft, e) => {
      draft.items[e.itemId] = e.text
    },
    ItemRemoved: (draft, e) => {
      delete draft.items[e.itemId]
    },
    NoteAppended: (draft) => {
      draft.notes++
    },
  },
})

const target = { tenant: v.pipe(v.string(), v.minLength(1)), listId: v.pipe(v.string(), v.minLength(1)) }
const streamOf = (cmd: { tenant: string; listId: string }) => `${cmd.tenant}/list-${cmd.listId}`
/** A command may only touch its principal's tenant. */
const sameTenant = (cmd: { tenant: string }, context: CommandContext) => as(context.principal).tenant === cmd.tenant

export const addItem = defineCommand({
  type: 'addItem',
  schema: v.object({ ...target, itemId: v.string(), text: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) }),
  aggregate: list,
  stream: streamOf,
  authorize: sameTenant,
  handle: (state, cmd) => {
    if (state.items[cmd.itemId] !== undefined) throw new RuleViolation('item-exists', `Item ${cmd.itemId} is already on the list`, { itemId: cmd.itemId })
    return ItemAdded({ itemId: cmd.itemId, text: cmd.text })
  },
})

export const removeItem = defineCommand({
  type: 'removeItem',
  schema: v.object({ ...target, itemId: v.string() }),
  aggregate: list,
  stream: streamOf,
  authorize: sameTenant,
  handle: (state, cmd) => {
    if (state.items[cmd.itemId] === undefined) throw new RuleViolation('item-missing', `Item ${cmd.itemId} is not on the list`)
    return ItemRemoved({ itemId: cmd.itemId })
  },
})

/** Always appends: executing it twice would show as two events, which is what exactly-once tests look for. */
export const appendNote = defineCommand({
  type: 'appendNote',
  schema: v.object({ ...target, text: v.string() }),
  aggregate: list,
  stream: streamOf,
  authorize: sameTenant,
  handle: (_state, cmd, context) => NoteAppended({ text: cmd.text, by: as(context.principal).user }),
})

/**
 * A note whose business rules take `ms` of CPU: it keeps a push in flight long enough for tests to
 * kill or stop the server in the middle of it, wherever the machine's speed puts the rest.
 */
export const slowNote = defineCommand({
  type: 'slowNote',
  schema: v.object({ ...target, text: v.string(), ms: v.pipe(v.number(), v.maxValue(1000)) }),
  aggregate: list,
  stream: streamOf,
  authorize: sameTenant,
  handle: (_state, cmd, context) => {
    const until = performance.now() + cmd.ms
    while (performance.now() < until) {
      // deciding, slowly
    }
    return NoteAppended({ text: cmd.text, by: as(context.principal).user })
  },
})

export const commands = [addItem, removeItem, appendNote, slowNote]

export function authenticate(token: string): TestPrincipal | null {
  return principals[token] ?? null
}

/** Server-wide rule: viewers may read but not write. */
export function authorize(principal: Principal): boolean {
  return as(principal).role !== 'viewer'
}

export function canRead(principal: Principal, stream: string): boolean {
  return stream.startsWith(`${as(principal).tenant}/`)
}

/** Tenant filtering by the database: a stream's scope is its tenant, the first part of its name. */
export const scopes = {
  ofStream: (stream: string) => stream.split('/')[0] ?? null,
  readable: (principal: Principal) => [as(principal).tenant],
}
