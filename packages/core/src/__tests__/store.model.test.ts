// Model-based test of the store's public API (fast-check commands): a small reference model of the
// Kanban fixtures predicts every receipt, refusal, undo, redo and read-model state, through
// reloads (close + reopen: checkpoints, replay, and a new session's empty undo stack).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createStore, isChronicleError, memoryStorage, type StorageBackend, type Store } from '../index'
import { addCard, boardView, commands, moveCard } from './fixtures'

type Event = { type: 'add'; board: string; card: string } | { type: 'move'; board: string; card: string; from: string; to: string }

/** The reference: the effective events (undone ones removed) and the session's undo/redo stacks. */
class Model {
  effective: Event[][] = []
  undone: Event[][] = []
  session: number[] = [] // indexes into `effective` this session may undo (LIFO)

  cards(board: string) {
    const columns = new Map<string, string>()
    for (const e of this.effective.flat()) if (e.board === board) columns.set(e.card, e.type === 'add' ? 'todo' : e.to)
    return columns
  }
  view() {
    const columns: Record<string, string[]> = {}
    let count = 0
    for (const e of this.effective.flat()) {
      if (e.type === 'add') {
        ;(columns.todo ??= []).push(e.card)
        count++
      } else {
        columns[e.from] = (columns[e.from] ?? []).filter((id) => id !== e.card)
        ;(columns[e.to] ??= []).push(e.card)
      }
    }
    return { columns, count }
  }
}

interface Real {
  store: Store
  storage: StorageBackend
}

const board = fc.constantFrom('b1', 'b1', 'b1', 'b2')
const card = fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5')

class Add implements fc.AsyncCommand<Model, Real> {
  constructor(readonly board: string, readonly card: string) {}
  check = () => true
  async run(model: Model, real: Real) {
    const outcome = await real.store.dispatch(addCard({ boardId: this.board, cardId: this.card, title: 't' })).catch((e: unknown) => e)
    if (model.cards(this.board).has(this.card)) {
      expect(isChronicleError(outcome, 'RuleViolation') && outcome.code).toBe('card-exists')
    } else {
      expect(outcome).toMatchObject({ eventCount: 1 })
      model.effective.push([{ type: 'add', board: this.board, card: this.card }])
      model.session.push(model.effective.length - 1)
      model.undone = []
    }
    expect(real.store.read(boardView)).toEqual(model.view())
  }
  toString = () => `add(${this.board},${this.card})`
}

class Move implements fc.AsyncCommand<Model, Real> {
  constructor(readonly board: string, readonly card: string, readonly to: string) {}
  check = () => true
  async run(model: Model, real: Real) {
    const outcome = await real.store.dispatch(moveCard({ boardId: this.board, cardId: this.card, to: this.to })).catch((e: unknown) => e)
    const cards = model.cards(this.board)
    const from = cards.get(this.card)
    if (from === undefined) expect(isChronicleError(outcome, 'RuleViolation') && outcome.code).toBe('card-missing')
    else if (from === this.to) expect(outcome).toMatchObject({ eventCount: 0 })
    else if ([...cards.values()].filter((c) => c === this.to).length >= 3) expect(isChronicleError(outcome, 'RuleViolation') && outcome.code).toBe('wip-limit')
    else {
      expect(outcome).toMatchObject({ eventCount: 1 })
      model.effective.push([{ type: 'move', board: this.board, card: this.card, from, to: this.to }])
      model.session.push(model.effective.length - 1)
      model.undone = []
    }
    expect(real.store.read(boardView)).toEqual(model.view())
  }
  toString = () => `move(${this.board},${this.card},${this.to})`
}

class Undo implements fc.AsyncCommand<Model, Real> {
  check = () => true
  async run(model: Model, real: Real) {
    const outcome = await real.store.history.undo().catch((e: unknown) => e)
    const last = model.session.pop()
    if (last === undefined) expect(isChronicleError(outcome, 'UndoConflict') && outcome.code).toBe('nothing-to-undo')
    else {
      expect(outcome).toMatchObject({ eventCount: 1 })
      // LIFO over one session: the session's latest command is the log's latest effective one.
      model.undone.push(model.effective.splice(last, 1)[0]!)
    }
    expect(real.store.read(boardView)).toEqual(model.view())
    expect(real.store.history.canUndo).toBe(model.session.length > 0)
  }
  toString = () => 'undo'
}

class Redo implements fc.AsyncCommand<Model, Real> {
  check = () => true
  async run(model: Model, real: Real) {
    const outcome = await real.store.history.redo().catch((e: unknown) => e)
    const back = model.undone.pop()
    if (!back) expect(isChronicleError(outcome, 'UndoConflict') && outcome.code).toBe('nothing-to-redo')
    else {
      expect(outcome).toMatchObject({ eventCount: 1 })
      model.effective.push(back)
      model.session.push(model.effective.length - 1)
    }
    expect(real.store.read(boardView)).toEqual(model.view())
  }
  toString = () => 'redo'
}

class Reload implements fc.AsyncCommand<Model, Real> {
  constructor(readonly checkpoint: boolean) {}
  check = () => true
  async run(model: Model, real: Real) {
    if (this.checkpoint) await real.store.checkpoint()
    await real.store.close()
    real.store = createStore({ name: 'model', commands, projections: [boardView], storage: real.storage, checkpointInterval: 60_000, snapshotEvery: 2 })
    await real.store.ready
    // A new session: nothing of the old one's undo or redo stack carries over.
    model.session = []
    model.undone = []
    expect(real.store.read(boardView)).toEqual(model.view())
    expect(real.store.history.canUndo).toBe(false)
  }
  toString = () => `reload(${this.checkpoint})`
}

const add = fc.tuple(board, card).map(([b, c]) => new Add(b, c))
const move = fc.tuple(board, card, fc.constantFrom('todo', 'doing', 'done')).map(([b, c, to]) => new Move(b, c, to))
// Weighted by repetition: mostly commands, so columns fill up and rules bite.
const steps = [add, add, add, move, move, move, move, fc.constant(new Undo()), fc.constant(new Redo()), fc.boolean().map((checkpoint) => new Reload(checkpoint))]

describe('store (model-based)', () => {
  it('agrees with a reference model on receipts, refusals, undo, redo and reloads', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(steps, { maxCommands: 60, size: 'max' }), async (cmds) => {
        const storage = memoryStorage()
        const real: Real = { storage, store: createStore({ name: 'model', commands, projections: [boardView], storage, checkpointInterval: 60_000, snapshotEvery: 2 }) }
        await fc.asyncModelRun(() => ({ model: new Model(), real }), cmds)
        await real.store.close()
      }),
      { numRuns: 80 },
    )
  })
})
