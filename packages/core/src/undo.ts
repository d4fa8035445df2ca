import type { Dispatcher, Receipt } from './dispatcher'
import { checkCommandOptions } from './envelope'
import { TimeTravelActive, UndoConflict } from './errors'
import { newId } from './ids'
import type { StoreKernel } from './kernel'
import type { HistoryCommandOptions } from './storeOptions'
import type { Principal } from './types'
import { isHistoryEvent } from './undoEvents'
import { createHistory, type HistoryEntry, type SessionHistory } from './undoStack'

/**
 * Undo and redo (docs/history.md): `Undone`/`Redone` events appended like any command's, the
 * session's undo stack (`store.history`), and `store.undoCommand` for any command by id.
 */
export class Undo {
  /** This store session's undo stack. */
  readonly history: SessionHistory

  constructor(
    private readonly kernel: StoreKernel,
    private readonly dispatcher: Dispatcher,
  ) {
    this.history = createHistory({
      submit: (entry, kind) => this.submit(entry, kind),
      isUndone: (commandId) => kernel.readModels.timeline.undone.has(commandId),
    })
  }

  /** Appends the Undone (or Redone) event of `entry` through the dispatcher, with the same checks as any command. */
  submit(entry: HistoryEntry, kind: 'undo' | 'redo', options: HistoryCommandOptions = {}): Promise<Receipt> {
    const { kernel } = this
    if (kernel.closed) return Promise.reject(kernel.closed)
    const { travelling } = kernel.readModels
    if (travelling !== null) return Promise.reject(new TimeTravelActive(travelling))
    try {
      checkCommandOptions(kind, options)
    } catch (error) {
      return Promise.reject(error)
    }
    const commandId = options.commandId ?? newId()
    return this.dispatcher.submit({
      definition: entry.definition,
      payload: null,
      value: null,
      stream: entry.stream,
      context: { principal: 'principal' in options ? (options.principal as Principal) : kernel.principal(), commandId, at: options.at ?? Date.now() },
      causationId: entry.commandId,
      correlationId: entry.commandId,
      idempotent: options.commandId !== undefined,
      history: { kind, target: entry.commandId },
    })
  }

  /**
   * `store.undoCommand`: undoes (or redoes) any command by id. The target is found among the
   * events in memory (those since the store started); only an older one is read from the log.
   */
  async undoCommand(target: string, options: HistoryCommandOptions = {}): Promise<Receipt> {
    const { kernel } = this
    const { timeline } = kernel.readModels
    const seq = timeline.firstOf(target)
    const remembered = seq === undefined ? undefined : timeline.range(seq - 1, seq)[0]
    const first = remembered ?? (await kernel.log().readCommand(target)).find((e) => !isHistoryEvent(e.type))
    const definition = first && kernel.options.commands.find((c) => c.aggregate.events.some((e) => e.type === first.type))
    if (!first || !definition) {
      throw new UndoConflict('unknown-command', `Command ${target} wrote nothing this store knows (compacted, never written, or of another domain); it cannot be ${options.kind === 'redo' ? 'redone' : 'undone'}.`)
    }
    return this.submit({ commandId: target, stream: first.stream, definition }, options.kind ?? 'undo', options)
  }
}
