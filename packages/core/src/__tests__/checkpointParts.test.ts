import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { joinState, splitState, type PartLayout } from '../storage/checkpointParts'

/** Values a read model may hold: plain data, with Maps and Sets. */
const leaf = fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null), fc.record({ id: fc.string({ maxLength: 3 }), n: fc.integer() }))
const collection = fc.oneof(
  fc.array(leaf, { maxLength: 12 }),
  fc.uniqueArray(fc.tuple(fc.string({ maxLength: 3 }), leaf), { maxLength: 12, selector: ([key]) => key }).map((entries) => new Map(entries)),
  fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 12 }).map((values) => new Set(values)),
  fc.dictionary(fc.string({ maxLength: 3 }), leaf, { maxKeys: 12 }),
)
const state = fc.oneof(collection, fc.dictionary(fc.constantFrom('cards', 'byId', 'count', 'order', '__proto__', 'x'), fc.oneof(leaf, collection)), leaf)

/** How many entries each part of a layout holds (a `rest` part of the fields layout is not counted). */
function partSizes(layout: PartLayout, parts: readonly unknown[]): number[] {
  switch (layout.kind) {
    case 'whole':
      return []
    case 'map':
    case 'record':
      return layout.parts.map((i) => (parts[i] as [unknown[], unknown[]])[0].length)
    case 'set':
    case 'array':
      return layout.parts.map((i) => (parts[i] as unknown[]).length)
    case 'fields':
      return Object.values(layout.split).flatMap((field) => partSizes(field, parts))
  }
}

describe('checkpoint parts', () => {
  it('join(split(state)) gives the state back, keys and entries in order, and no part holds more than partEntries', () => {
    fc.assert(
      fc.property(state, fc.integer({ min: 1, max: 5 }), (value, partEntries) => {
        const split = splitState(value, partEntries)
        if (split === undefined) return
        for (const size of partSizes(split.layout, split.parts)) expect(size).toBeLessThanOrEqual(partEntries)
        // What storage gives back is a structured clone either way (which also drops a null prototype).
        const joined = joinState(split.layout, structuredClone(split.parts))
        expect(joined).toStrictEqual(structuredClone(value))
        if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Map) && !(value instanceof Set)) {
          expect(Object.keys(joined as object)).toEqual(Object.keys(value))
        }
        if (value instanceof Map) expect([...(joined as Map<unknown, unknown>).keys()]).toEqual([...value.keys()])
      }),
      { numRuns: 500 },
    )
  })

  it('leaves a state whole unless it, or one of its fields, has more entries than a part holds', () => {
    expect(splitState({ cards: new Map([['a', 1]]), count: 1 }, 2)).toBeUndefined()
    expect(splitState([1, 2], 2)).toBeUndefined()
    expect(splitState('text', 1)).toBeUndefined()
    expect(splitState({ nested: { deeper: [1, 2, 3, 4] } }, 2)).toBeUndefined()
    const split = splitState({ cards: new Map([['a', 1], ['b', 2], ['c', 3]]), count: 3 }, 2)
    expect(split?.layout).toEqual({ kind: 'fields', split: { cards: { kind: 'map', parts: [1, 2] } }, rest: 0 })
    expect(split?.parts).toEqual([{ cards: null, count: 3 }, [['a', 'b'], [1, 2]], [['c'], [3]]])
  })

  it('refuses parts that are missing or not what the layout says, naming what is wrong', () => {
    const split = splitState(new Map([['a', 1], ['b', 2], ['c', 3]]), 2)!
    expect(() => joinState(split.layout, [split.parts[0]])).toThrow('part 1 is missing')
    expect(() => joinState(split.layout, [split.parts[0], 'not entries'])).toThrow('part 1 is not a list of keys and one of values')
    expect(() => joinState(split.layout, [split.parts[0], [['c'], []]])).toThrow('part 1 is not a list of keys and one of values')
    const list = splitState([1, 2, 3], 2)!
    expect(() => joinState(list.layout, [list.parts[0], 'not entries'])).toThrow('part 1 is not a list of entries')
    expect(() => joinState({ kind: 'nonsense' } as never, [])).toThrow('unknown layout "nonsense"')
  })
})
