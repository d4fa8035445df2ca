import { useMemo, useState } from 'react'
import { isContainer, normalise } from './diff'

/** Children rendered per "show more" step: a node with 100,000 keys renders 100 of them. */
const pageSize = 100
/** Longer strings are cut in the view. */
const maxString = 500

/** Containers with at most this many primitive entries are shown inline: `["c1", "c2"]`. */
const inlineEntries = 4

const isPrimitive = (value: unknown) => value === null || (typeof value !== 'object' && typeof value !== 'function')

/** A small container of primitives as one line, or undefined when it is not small. */
function inline(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    if (value.length > inlineEntries || !value.every(isPrimitive)) return undefined
    return `[${value.map(preview).join(', ')}]`
  }
  if (!isContainer(value) || value instanceof Map || value instanceof Set) return undefined
  // Stops at the fifth key: a record of 100,000 keys costs no more than a small one.
  const parts: string[] = []
  for (const key of keysUpTo(value, inlineEntries + 1)) {
    const child = (value as Record<string, unknown>)[key]
    if (parts.length === inlineEntries || !isPrimitive(child)) return undefined
    parts.push(`${key}: ${preview(child)}`)
  }
  return `{${parts.join(', ')}}`
}

function* keysUpTo(value: object, limit: number) {
  let n = 0
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue
    if (n++ === limit) return
    yield key
  }
}

/**
 * A value as one line of text: strings quoted (and cut when long), small containers inline,
 * bigger ones summarised. Always plain text: the panel renders it as a React text node, never as HTML.
 */
export function preview(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > maxString ? `${value.slice(0, maxString)}…` : value)
    case 'undefined':
      return 'undefined'
    case 'bigint':
      return `${value}n`
    case 'function':
      return 'ƒ()'
    case 'symbol':
      return value.toString()
    case 'object':
      if (value === null) return 'null'
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()
      return inline(value) ?? summary(value)
    default:
      return String(value)
  }
}

function summary(value: object): string {
  if (Array.isArray(value)) return `Array(${value.length})`
  if (value instanceof Map) return `Map(${value.size})`
  if (value instanceof Set) return `Set(${value.size})`
  if (isContainer(value)) {
    const n = Object.keys(value).length
    return `{${n} ${n === 1 ? 'key' : 'keys'}}`
  }
  return (value as { constructor?: { name?: string } }).constructor?.name ?? 'Object'
}

/** A container's children, read lazily: nothing is enumerated until the node is opened. */
function childrenOf(value: Parameters<typeof normalise>[0]) {
  const plain = normalise(value)
  if (Array.isArray(plain)) return { count: plain.length, at: (i: number): [string, unknown] => [String(i), plain[i]] }
  const keys = Object.keys(plain)
  return { count: keys.length, at: (i: number): [string, unknown] => [keys[i]!, (plain as Record<string, unknown>)[keys[i]!]] }
}

interface NodeProps {
  readonly label: string
  readonly value: unknown
  readonly depth: number
  readonly open: boolean
}

function TreeNode({ label, value, depth, open: initiallyOpen }: NodeProps) {
  const [open, setOpen] = useState(initiallyOpen)
  const [shown, setShown] = useState(pageSize)
  const container = isContainer(value)
  const children = useMemo(() => (open && isContainer(value) ? childrenOf(value) : undefined), [open, value])
  const indent = { paddingLeft: `${depth * 14}px` }
  if (!container) {
    return (
      <div role="treeitem" className="chr-dt-tree-leaf" style={indent}>
        <span className="chr-dt-key">{label}</span>
        {': '}
        <span className={`chr-dt-value chr-dt-${value === null ? 'null' : typeof value}`}>{preview(value)}</span>
      </div>
    )
  }
  const visible = children ? Math.min(shown, children.count) : 0
  return (
    <div role="treeitem" aria-expanded={open} className="chr-dt-tree-node">
      <button type="button" className="chr-dt-tree-toggle" style={indent} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">{open ? '▾ ' : '▸ '}</span>
        <span className="chr-dt-key">{label}</span>
        {': '}
        <span className="chr-dt-summary">{preview(value)}</span>
      </button>
      {children && (
        <div role="group">
          {Array.from({ length: visible }, (_, i) => {
            const [key, child] = children.at(i)
            return <TreeNode key={key} label={key} value={child} depth={depth + 1} open={false} />
          })}
          {children.count > visible && (
            <button type="button" className="chr-dt-more" style={{ paddingLeft: `${(depth + 1) * 14}px` }} onClick={() => setShown(shown + pageSize)}>
              {`Show ${Math.min(pageSize, children.count - visible)} more (${children.count - visible} not shown)`}
            </button>
          )}
        </div>
      )}
    </div>
  )
}

/** Props of `StateTree`. */
export interface StateTreeProps {
  readonly value: unknown
  /** The root's label (a read model's name, "payload", ...). */
  readonly label: string
  /** Open the root node at first (default true). */
  readonly open?: boolean
}

/**
 * A value as a collapsible tree. Children are enumerated only when a node is opened, and at most
 * 100 at a time, so a read model with 100,000 entries renders as fast as a small one.
 */
export function StateTree({ value, label, open = true }: StateTreeProps) {
  return (
    <div role="tree" aria-label={label} className="chr-dt-tree">
      <TreeNode label={label} value={value} depth={0} open={open} />
    </div>
  )
}
