import { useEffect, useState } from 'react'
import type { EventEnvelope } from '@chronicle/core'
import { causationTree, type CausationNode } from './causation'
import type { EnvelopeCache } from './envelopeCache'
import type { LogIndex } from './logIndex'

export interface CausationViewProps {
  readonly index: LogIndex
  readonly cache: EnvelopeCache
  readonly envelope: EventEnvelope
  readonly onSelect: (seq: number) => void
}

/** Events of one correlation shown at most (a chain longer than this is cut, and says so). */
const chainLimit = 500

/**
 * The causation chain of the selected event's command: every command of its correlation (the
 * command that started it, the reactions it triggered, undo and redo of them), as a tree.
 */
export function CausationView({ index, cache, envelope, onSelect }: CausationViewProps) {
  const [chain, setChain] = useState<{ readonly for: string; readonly roots: CausationNode[]; readonly cut: boolean } | undefined>()
  const row = index.rowAtOrBefore(envelope.seq)
  // Grows when events arrive: an undo or a reaction later in the log joins the chain.
  const size = index.size
  useEffect(() => {
    let live = true
    const rows = index.chain(row, chainLimit + 1)
    cache
      .load(rows.slice(0, chainLimit).map((r) => index.seq(r)))
      .then((events) => {
        if (live) setChain({ for: envelope.id, roots: causationTree(events), cut: rows.length > chainLimit })
      })
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [index, cache, row, size, envelope.id])

  if (!chain || chain.for !== envelope.id) return <p className="chr-dt-hint">Reading the chain…</p>
  return (
    <div className="chr-dt-causation">
      <p className="chr-dt-hint">{`Correlation ${envelope.meta.correlationId}`}</p>
      <ul role="tree" aria-label="Causation chain">
        {chain.roots.map((node) => (
          <CommandItem key={node.commandId} node={node} parent={undefined} current={envelope.meta.commandId} onSelect={onSelect} />
        ))}
      </ul>
      {chain.cut && <p className="chr-dt-hint">{`Only the first ${chainLimit} events of this correlation are shown.`}</p>}
    </div>
  )
}

function causeOf(node: CausationNode, parent: CausationNode | undefined): string {
  if (!parent) return node.causationId === node.commandId ? 'command' : `command caused by ${node.causationId}`
  const trigger = parent.events.find((e) => e.id === node.causationId)
  if (trigger) return `reaction to #${trigger.seq} ${trigger.type}`
  const kind = node.events[0]?.type
  return kind === 'Undone' ? 'undo' : kind === 'Redone' ? 'redo' : 'follow-up'
}

interface CommandItemProps {
  readonly node: CausationNode
  readonly parent: CausationNode | undefined
  readonly current: string
  readonly onSelect: (seq: number) => void
}

function CommandItem({ node, parent, current, onSelect }: CommandItemProps) {
  return (
    <li role="treeitem" aria-expanded={node.children.length > 0 ? true : undefined} aria-current={node.commandId === current ? 'true' : undefined}>
      <div className={node.commandId === current ? 'chr-dt-chain-command chr-dt-chain-current' : 'chr-dt-chain-command'}>
        <span>{causeOf(node, parent)}</span> <span className="chr-dt-dim">{node.commandId}</span>
      </div>
      <ul role="group">
        {node.events.map((event) => (
          <li key={event.id} role="treeitem">
            <button type="button" className="chr-dt-link" onClick={() => onSelect(event.seq)}>
              {`#${event.seq} ${event.type} · ${event.stream}`}
            </button>
          </li>
        ))}
        {node.children.map((child) => (
          <CommandItem key={child.commandId} node={child} parent={node} current={current} onSelect={onSelect} />
        ))}
      </ul>
    </li>
  )
}
