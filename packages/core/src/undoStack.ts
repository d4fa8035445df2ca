import type { Observable } from 'rxjs'
import { createValueCell } from './emitter'
import type { AnyCommandDefinition } from './command'
import type { Receipt } from './dispatcher'
import { UndoConflict } from './errors'

/** Undo and redo for one store session (one tab): its own commands, last in first out. */
export interface History {
  /** Appends `Undone` for this session's latest command still in effect. Rejects with UndoConflict when someone else wrote to its stream since. */
  undo(): Promise<Receipt>
  /** Appends `Redone` for the latest undone command. */
  redo(): Promise<Receipt>
  readonly canUndo: boolean
  readonly canRedo: boolean
  readonly canUndo$: Observable<boolean>
  readonly canRedo$: Observable<boolean>
  /** True when the command's events are currently left out of every fold. */
  isUndone(commandId: string): boolean
  /** The commandId `undo()` would take back next, if any (devtools show and match it). */
  readonly undoTarget: string | undefined
  /** The commandId `redo()` would bring back next, if any. */
  readonly redoTarget: string | undefined
}

/** A command of this session that undo can take back. */
export interface HistoryEntry {
  readonly commandId: string
  readonly stream: string
  readonly definition: AnyCommandDefinition
}

export interface SessionHistory extends History {
  /** Records a command this session dispatched that wrote events; clears the redo stack. */
  record(entry: HistoryEntry): void
}

export function createHistory(host: {
  submit(entry: HistoryEntry, kind: 'undo' | 'redo'): Promise<Receipt>
  isUndone(commandId: string): boolean
}): SessionHistory {
  const done: HistoryEntry[] = []
  const undone: HistoryEntry[] = []
  const canUndo = createValueCell(false)
  const canRedo = createValueCell(false)
  const update = () => {
    canUndo.set(done.length > 0)
    canRedo.set(undone.length > 0)
  }
  // One undo or redo at a time, so two quick clicks take back two commands, not one twice.
  let queue: Promise<unknown> = Promise.resolve()
  const step = (from: HistoryEntry[], to: HistoryEntry[], kind: 'undo' | 'redo') => {
    const run = queue.then(async () => {
      const entry = from.at(-1)
      if (!entry) throw new UndoConflict(kind === 'undo' ? 'nothing-to-undo' : 'nothing-to-redo', `There is nothing to ${kind} in this session.`)
      const receipt = await host.submit(entry, kind)
      from.pop()
      to.push(entry)
      update()
      return receipt
    })
    queue = run.catch(() => undefined)
    return run
  }
  return {
    undo: () => step(done, undone, 'undo'),
    redo: () => step(undone, done, 'redo'),
    get canUndo() {
      return canUndo.value
    },
    get canRedo() {
      return canRedo.value
    },
    canUndo$: canUndo.observable,
    canRedo$: canRedo.observable,
    isUndone: (commandId) => host.isUndone(commandId),
    get undoTarget() {
      return done.at(-1)?.commandId
    },
    get redoTarget() {
      return undone.at(-1)?.commandId
    },
    record(entry) {
      done.push(entry)
      undone.length = 0
      update()
    },
  }
}
