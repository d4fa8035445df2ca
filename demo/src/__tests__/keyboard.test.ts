import { describe, expect, it } from 'vitest'
import type { BoardView } from '../domain'
import { keyIntent } from '../ui/board/keyboard'

const column = (id: string, cardIds: string[]) => ({ id, name: id, wipLimit: null, done: false, cardIds })
const board: BoardView = {
  id: 'b',
  name: 'Board',
  columnOrder: ['todo', 'doing', 'review', 'done'],
  columns: { todo: column('todo', ['a', 'b', 'c']), doing: column('doing', ['d']), review: column('review', []), done: column('done', ['e', 'f']) },
  archived: [],
}

describe('the board keyboard model', () => {
  it('moves a card with Shift + arrows: across columns at the same height, up and down within one', () => {
    expect(keyIntent(board, 'c', 'ArrowRight', true)).toEqual({ kind: 'move', to: 'doing', position: 1 })
    expect(keyIntent(board, 'a', 'ArrowRight', true)).toEqual({ kind: 'move', to: 'doing', position: 0 })
    expect(keyIntent(board, 'd', 'ArrowRight', true)).toEqual({ kind: 'move', to: 'review', position: 0 })
    expect(keyIntent(board, 'd', 'ArrowLeft', true)).toEqual({ kind: 'move', to: 'todo', position: 0 })
    expect(keyIntent(board, 'b', 'ArrowUp', true)).toEqual({ kind: 'move', to: 'todo', position: 0 })
    expect(keyIntent(board, 'b', 'ArrowDown', true)).toEqual({ kind: 'move', to: 'todo', position: 2 })
  })

  it('does nothing at the edges', () => {
    expect(keyIntent(board, 'a', 'ArrowLeft', true)).toBeUndefined()
    expect(keyIntent(board, 'a', 'ArrowUp', true)).toBeUndefined()
    expect(keyIntent(board, 'c', 'ArrowDown', true)).toBeUndefined()
    expect(keyIntent(board, 'f', 'ArrowRight', true)).toBeUndefined()
  })

  it('moves focus with plain arrows, skipping empty columns', () => {
    expect(keyIntent(board, 'b', 'ArrowDown', false)).toEqual({ kind: 'focus', cardId: 'c' })
    expect(keyIntent(board, 'a', 'ArrowUp', false)).toBeUndefined()
    expect(keyIntent(board, 'c', 'ArrowRight', false)).toEqual({ kind: 'focus', cardId: 'd' })
    expect(keyIntent(board, 'd', 'ArrowRight', false)).toEqual({ kind: 'focus', cardId: 'e' })
    expect(keyIntent(board, 'e', 'ArrowLeft', false)).toEqual({ kind: 'focus', cardId: 'd' })
  })

  it('ignores other keys and cards that are not on the board', () => {
    expect(keyIntent(board, 'a', 'Enter', false)).toBeUndefined()
    expect(keyIntent(board, 'zzz', 'ArrowDown', true)).toBeUndefined()
  })
})
