import type { EventEnvelope } from '@chronicle/core'

/** One command in a causation tree: its events and the commands they caused. */
export interface CausationNode {
  readonly commandId: string
  /** What caused this command: an event id (a reaction's trigger), a command id (an undo's target), or itself. */
  readonly causationId: string
  readonly events: readonly EventEnvelope[]
  readonly children: readonly CausationNode[]
}

/**
 * Arranges the events of one correlation (a command and everything that followed from it) into a
 * tree of commands. A command hangs under the command whose event caused it (a reaction), or under
 * the command it undoes or redoes; a command caused by something outside `events` is a root.
 *
 * @example
 * const rows = index.chain(row)
 * const tree = causationTree(await cache.load(rows.map((r) => index.seq(r))))
 */
export function causationTree(events: readonly EventEnvelope[]): CausationNode[] {
  interface Mutable {
    commandId: string
    causationId: string
    events: EventEnvelope[]
    children: Mutable[]
  }
  const byCommand = new Map<string, Mutable>()
  const commandOfEvent = new Map<string, string>()
  const order: Mutable[] = []
  for (const event of events) {
    let node = byCommand.get(event.meta.commandId)
    if (!node) {
      node = { commandId: event.meta.commandId, causationId: event.meta.causationId, events: [], children: [] }
      byCommand.set(node.commandId, node)
      order.push(node)
    }
    node.events.push(event)
    commandOfEvent.set(event.id, event.meta.commandId)
  }
  const roots: Mutable[] = []
  for (const node of order) {
    const parentId = node.causationId === node.commandId ? undefined : (commandOfEvent.get(node.causationId) ?? node.causationId)
    const parent = parentId === undefined ? undefined : byCommand.get(parentId)
    if (parent && parent !== node && !isAncestor(node, parent)) parent.children.push(node)
    else roots.push(node)
  }
  return roots

  function isAncestor(candidate: Mutable, of: Mutable): boolean {
    return candidate.children.some((child) => child === of || isAncestor(child, of))
  }
}
