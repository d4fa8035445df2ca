import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { EventEnvelope } from '../index'
import { readCommandPages, type ReadLog } from '../logPages'

/** A log whose commands write the given numbers of events, one after another. */
function logOf(commandSizes: readonly number[]): EventEnvelope[] {
  const events: EventEnvelope[] = []
  commandSizes.forEach((size, command) => {
    for (let i = 0; i < size; i++) {
      const seq = events.length + 1
      events.push({
        id: `e${seq}`,
        seq,
        stream: 's',
        version: seq,
        type: 'T',
        schemaVersion: 1,
        payload: null,
        meta: { commandId: `c${command}`, causationId: `c${command}`, correlationId: `c${command}`, at: 0, origin: 'o' },
      })
    }
  })
  return events
}

const reader = (events: readonly EventEnvelope[]): ReadLog =>
  async (after, { to, limit }) => events.filter((e) => e.seq > after && e.seq <= (to ?? Infinity)).slice(0, limit)

async function pagesOf(events: readonly EventEnvelope[], after: number, options: { to?: number; pageSize: number }) {
  const pages: EventEnvelope[][] = []
  for await (const page of readCommandPages(reader(events), after, options)) pages.push(page)
  return pages
}

describe('readCommandPages', () => {
  it('never ends a page inside a command, and reads every event once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.nat(),
        fc.nat(),
        async (sizes, pageSize, fromCommand, toCommand) => {
          const events = logOf(sizes)
          // Start and end at command boundaries, as store positions and announced heads do.
          const boundaries = [0, ...sizes.map((_, i) => sizes.slice(0, i + 1).reduce((a, b) => a + b, 0))]
          const after = boundaries[fromCommand % boundaries.length]!
          const to = Math.max(after, boundaries[toCommand % boundaries.length]!)
          const pages = await pagesOf(events, after, { to, pageSize })
          expect(pages.flat().map((e) => e.seq)).toEqual(events.filter((e) => e.seq > after && e.seq <= to).map((e) => e.seq))
          for (const page of pages) {
            expect(page.length).toBeGreaterThan(0)
            const next = events[page.at(-1)!.seq]
            if (next) expect(next.meta.commandId).not.toBe(page.at(-1)!.meta.commandId)
          }
        },
      ),
    )
  })

  it('holds back a command cut by the page size and reads a command longer than a page whole', async () => {
    const events = logOf([2, 3, 7, 1])
    const pages = await pagesOf(events, 0, { pageSize: 4 })
    expect(pages.map((p) => p.map((e) => e.meta.commandId))).toEqual([['c0', 'c0'], ['c1', 'c1', 'c1'], ['c2', 'c2', 'c2', 'c2', 'c2', 'c2', 'c2'], ['c3']])
  })
})
