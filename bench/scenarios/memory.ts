// Scenario 7: the JS heap a store holds, per 100,000 events, against the raw events' own size.
import { summarize } from '../lib/results'
import { repeat, type Params, type Scenario } from './scenario'

const per = 100_000

export const memory: Scenario<Params & { readonly n: number }> = {
  id: 7,
  key: 'memory',
  title: 'Memory',
  params: { full: { runs: 3, n: 100_000 }, quick: { runs: 1, n: 5000 } },
  async run({ browser, db: dbName, progress }, { runs, n }) {
    const scale = per / n
    const samples = await repeat(runs, async (run) => {
      const db = dbName(`log-${run}`)
      progress(`run ${run + 1}/${runs}`)
      try {
        const { written, raw } = await browser.withPage(async (page) => {
          const empty = await page.heapAfterGc()
          await page.call('holdWrittenStore', { db, n })
          const withStore = await page.heapAfterGc()
          await page.call('release')
          const released = await page.heapAfterGc()
          await page.call('holdRawEvents', { db, n })
          const withEvents = await page.heapAfterGc()
          await page.call('release')
          return { written: withStore - empty, raw: withEvents - released }
        })
        const cold = await browser.withPage(async (page) => {
          const empty = await page.heapAfterGc()
          await page.call('holdColdStore', { db, n })
          const withStore = await page.heapAfterGc()
          await page.call('release')
          return withStore - empty
        })
        return { written: written * scale, cold: cold * scale, raw: raw * scale }
      } finally {
        await browser.withPage((page) => page.call('dropDatabases', { db }))
      }
    })
    const raw = samples.map((s) => s.raw)
    const common = { unit: 'bytes', better: 'lower', baseline: raw, baselineLabel: 'the raw events (getAll array)', target: { kind: 'ratio', min: 0.5, text: '<= 2x the raw events' } } as const
    return {
      status: 'measured',
      metrics: [
        summarize({ key: 'after-writing', label: 'heap per 100k events, store that wrote them', chronicle: samples.map((s) => s.written), ...common }),
        summarize({ key: 'after-cold-start', label: 'heap per 100k events, store after a cold start', chronicle: samples.map((s) => s.cold), ...common }),
      ],
    }
  },
}
