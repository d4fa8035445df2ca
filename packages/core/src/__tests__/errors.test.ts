import { describe, expect, it } from 'vitest'
import * as v from 'valibot'
import { ChronicleError, ConfigurationError, createStore, defineAggregate, defineEvent, defineProjection, isChronicleError, memoryStorage, PositionError } from '../index'
import { errorFromJSON } from '../sync/index'
import { addCard, boardView, CardAdded, commands } from './fixtures'

/** The error a call throws, for looking at its class and code. */
function thrown(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

describe('errors a user can catch are ChronicleErrors with stable codes', () => {
  it('configuration mistakes throw ConfigurationError, saying what to change', () => {
    const duplicateCommand = thrown(() => createStore({ name: 'e1', commands: [addCard, addCard], storage: memoryStorage() }))
    expect(duplicateCommand).toBeInstanceOf(ConfigurationError)
    expect(duplicateCommand).toMatchObject({ name: 'ConfigurationError', code: 'duplicate-command', message: expect.stringMatching(/"addCard".*type of its own/) })

    const duplicateProjection = thrown(() => createStore({ name: 'e2', commands, projections: [boardView, { ...boardView }], storage: memoryStorage() }))
    expect(duplicateProjection).toMatchObject({ name: 'ConfigurationError', code: 'duplicate-projection' })

    const stranger = defineProjection({ name: 'stranger', version: 1, events: [CardAdded], initial: 0, on: { CardAdded: () => undefined } })
    const store = createStore({ name: 'e3', commands, projections: [boardView], storage: memoryStorage() })
    expect(thrown(() => store.read(stranger))).toMatchObject({ name: 'ConfigurationError', code: 'unknown-projection' })

    const Other = defineEvent('Other', v.object({}))
    const badAggregate = thrown(() => defineAggregate({ name: 'a', events: [CardAdded], initial: () => ({}), evolve: { Other: () => undefined } as never }))
    expect(Other.type).toBe('Other')
    expect(isChronicleError(badAggregate, 'ConfigurationError')).toBe(true)
    expect(badAggregate).toMatchObject({ code: 'invalid-definition' })
  })

  it('positions the log cannot serve reject with PositionError', async () => {
    const store = createStore({ name: 'e4', commands, projections: [boardView], storage: memoryStorage() })
    await store.dispatch(addCard({ boardId: 'b', cardId: 'c1', title: 'one' }))
    await expect(store.travel(7)).rejects.toBeInstanceOf(PositionError)
    await expect(store.stateAt(boardView, -1)).rejects.toMatchObject({ name: 'PositionError', code: 'invalid-position' })
    await expect(store.compact({ before: 0 })).rejects.toMatchObject({ name: 'PositionError', code: 'invalid-position' })
    await expect(store.settled(50)).rejects.toMatchObject({ name: 'PositionError', code: 'invalid-position' })
  })

  it('the new classes survive the wire (toJSON, errorFromJSON) as themselves', () => {
    for (const error of [new ConfigurationError('invalid-option', 'bad option'), new PositionError('compacted', 'gone')]) {
      const back = errorFromJSON(error.toJSON())
      expect(back).toBeInstanceOf(ChronicleError)
      expect(back.constructor).toBe(error.constructor)
      expect(back).toMatchObject({ name: error.name, code: error.code, message: error.message })
    }
  })
})
