import { describe, expect, it } from 'vitest'
import { historyShortcut, type ShortcutKey } from '../ui/history/shortcuts'

const press = (key: string, modifiers: Partial<ShortcutKey> = {}): ShortcutKey => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, target: document.body, ...modifiers })
const input = (type: string) => Object.assign(document.createElement('input'), { type })

describe('history shortcuts', () => {
  it('Ctrl+Z and Cmd+Z undo; Ctrl/Cmd+Shift+Z and Ctrl+Y redo', () => {
    expect(historyShortcut(press('z', { ctrlKey: true }))).toBe('undo')
    expect(historyShortcut(press('z', { metaKey: true }))).toBe('undo')
    expect(historyShortcut(press('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo')
    expect(historyShortcut(press('Z', { metaKey: true, shiftKey: true }))).toBe('redo')
    expect(historyShortcut(press('y', { ctrlKey: true }))).toBe('redo')
  })

  it('ignores other keys and combinations', () => {
    expect(historyShortcut(press('z'))).toBeUndefined()
    expect(historyShortcut(press('z', { ctrlKey: true, altKey: true }))).toBeUndefined()
    expect(historyShortcut(press('y', { metaKey: true }))).toBeUndefined()
    expect(historyShortcut(press('x', { ctrlKey: true }))).toBeUndefined()
  })

  it('leaves Ctrl+Z to text fields, but not to buttons, checkboxes or sliders', () => {
    for (const target of [input('text'), input('search'), document.createElement('textarea'), document.createElement('select')]) {
      expect(historyShortcut(press('z', { ctrlKey: true, target }))).toBeUndefined()
    }
    const editable = document.createElement('div')
    editable.setAttribute('contenteditable', 'true')
    document.body.append(editable)
    expect(historyShortcut(press('z', { ctrlKey: true, target: editable }))).toBeUndefined()
    editable.remove()
    for (const target of [document.createElement('button'), input('checkbox'), input('range')]) {
      expect(historyShortcut(press('z', { ctrlKey: true, target }))).toBe('undo')
    }
  })
})
