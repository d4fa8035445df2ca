import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen, within } from '@testing-library/react'
import { guardConsole } from '../../../react/src/__tests__/harness'
import { preview, StateTree } from '../StateTree'

// Fails a test on any console.error or console.warn (act warnings, updates after unmount...).
guardConsole()

const items = (tree: HTMLElement) => within(tree).getAllByRole('treeitem')

describe('StateTree', () => {
  it('enumerates children only when a node opens, 100 at a time', () => {
    const cards = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`c${i}`, { title: `card ${i}`, tags: ['a'] }]))
    render(<StateTree label="state" value={{ cards, count: 100_000 }} />)
    const tree = screen.getByRole('tree', { name: 'state' })
    // The root is open: its two children, both closed.
    expect(items(tree)).toHaveLength(3)
    expect(tree.textContent).toContain('cards: {100000 keys}')
    expect(tree.textContent).toContain('count: 100000')

    fireEvent.click(screen.getByRole('button', { name: /cards/ }))
    expect(items(tree)).toHaveLength(3 + 100)
    expect(tree.textContent).toContain('c99: {2 keys}')
    expect(tree.textContent).not.toContain('c100:')
    fireEvent.click(screen.getByRole('button', { name: 'Show 100 more (99900 not shown)' }))
    expect(items(tree)).toHaveLength(3 + 200)
    expect(tree.textContent).toContain('c199:')

    fireEvent.click(screen.getByRole('button', { name: /^c5:/ }))
    expect(tree.textContent).toContain('title: "card 5"▸ tags: ["a"]')
    fireEvent.click(screen.getByRole('button', { name: /cards/ }))
    expect(items(tree)).toHaveLength(3)
  })

  it('renders strings as text, quoted and cut when long', () => {
    const html = '<b onclick="x()">bold</b>'
    render(<StateTree label="payload" value={{ html, long: 'x'.repeat(2000) }} />)
    expect(document.querySelector('b')).toBeNull()
    expect(screen.getByRole('tree').textContent).toContain(JSON.stringify(html))
    expect(preview('x'.repeat(2000))).toHaveLength(503)
  })

  it('previews every kind of value', () => {
    expect([null, undefined, 1, true, 10n, new Date(0), [1, 'a'], [1, 2, 3, 4, 5], new Map([[1, 2]]), new Set([1]), {}, { a: { b: 1 } }].map(preview)).toEqual([
      'null',
      'undefined',
      '1',
      'true',
      '10n',
      '1970-01-01T00:00:00.000Z',
      '[1, "a"]',
      'Array(5)',
      'Map(1)',
      'Set(1)',
      '{}',
      '{1 key}',
    ])
  })
})
