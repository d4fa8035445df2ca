/** The parts of a keyboard event the history shortcuts look at. */
export interface ShortcutKey {
  readonly key: string
  readonly ctrlKey: boolean
  readonly metaKey: boolean
  readonly shiftKey: boolean
  readonly altKey: boolean
  readonly target: EventTarget | null
}

/** True when the key goes to something the user is typing in (its own undo belongs to the text). */
function isTyping(target: EventTarget | null): boolean {
  if (!target || typeof (target as Partial<HTMLElement>).tagName !== 'string') return false
  const element = target as HTMLElement
  if (element.isContentEditable || element.closest('[contenteditable]:not([contenteditable="false"])')) return true
  if (element.tagName === 'TEXTAREA' || element.tagName === 'SELECT') return true
  if (element.tagName !== 'INPUT') return false
  // Buttons, checkboxes and sliders take no text.
  return !['button', 'submit', 'reset', 'checkbox', 'radio', 'range', 'color', 'file'].includes((element as HTMLInputElement).type)
}

/**
 * Which history command a key press asks for: Ctrl/Cmd+Z undoes, Ctrl/Cmd+Shift+Z and Ctrl+Y
 * redo. Nothing while typing in a field.
 */
export function historyShortcut(event: ShortcutKey): 'undo' | 'redo' | undefined {
  if (event.altKey || isTyping(event.target)) return undefined
  const key = event.key.toLowerCase()
  if ((event.ctrlKey || event.metaKey) && key === 'z') return event.shiftKey ? 'redo' : 'undo'
  if (event.ctrlKey && !event.metaKey && !event.shiftKey && key === 'y') return 'redo'
  return undefined
}
