// Scenarios 5 and 6: time travel and undo over a long log. They measure the store's history API,
// which the store may not have yet: then they report "not yet available", not a failure.
import { positions } from '../lib/positions'
import { summarize } from '../lib/results'
import { median } from '../lib/stats'
import { repeat, type Outcome, type Params, type RunContext, type Scenario } from './scenario'

type HistoryParams = Params & { readonly n: number }

/** Fills a fresh log with `n` events, runs `work` on it, deletes it. */
async function onFilledLog<T>({ browser, db: dbName, progress }: RunContext, run: number, n: number, work: (db: string) => Promise<T>): Promise<T> {
  const db = dbName(`log-${run}`)
  progress(`run ${run + 1}: filling the log with ${n.toLocaleString('en-US')} events`)
  await browser.withPage((page) => page.call('fill', { db, n }))
  try {
    return await work(db)
  } finally {
    await browser.withPage((page) => page.call('dropDatabases', { db }))
  }
}

const measured = (result: { latencies: number[]; prepared?: number } | { unavailable: string }) => {
  if ('unavailable' in result) throw new Error(`the store lost its history API mid-run: ${result.unavailable}`)
  return result
}
const latenciesOf = (result: { latencies: number[] } | { unavailable: string }): number[] => measured(result).latencies

export const timeTravel: Scenario<HistoryParams & { readonly jumps: number; readonly rawJumps: number }> = {
  id: 5,
  key: 'time-travel',
  title: 'Time travel',
  params: { full: { runs: 3, n: 100_000, jumps: 50, rawJumps: 5 }, quick: { runs: 1, n: 5000, jumps: 20, rawJumps: 3 } },
  async run(context, { runs, n, jumps, rawJumps }): Promise<Outcome> {
    const support = await context.browser.withPage((page) => page.call('historySupport'))
    if (support.travel) return { status: 'unavailable', note: support.travel }
    const samples = await repeat(runs, (run) =>
      onFilledLog(context, run, n, async (db) => {
        const to = positions(n, jumps, run + 1)
        const { latencies: travelled, prepared } = measured(await context.browser.withPage((page) => page.call('chronicleTravel', { db, n, to })))
        const replayed = latenciesOf(await context.browser.withPage((page) => page.call('rawTravel', { db, to: to.slice(0, rawJumps) })))
        const flat = latenciesOf(await context.browser.withPage((page) => page.call('chronicleTravel', { db, n, to, flat: true })))
        return { median: median(travelled), worst: Math.max(...travelled), raw: median(replayed), prepared, flatMedian: median(flat), flatWorst: Math.max(...flat) }
      }),
    )
    const baselineLabel = 'raw getAll up to the position + a plain fold'
    const baseline = samples.map((s) => s.raw)
    return {
      status: 'measured',
      metrics: [
        summarize({ key: 'median', label: 'median jump to a random position', unit: 'ms', better: 'lower', chronicle: samples.map((s) => s.median), baseline, baselineLabel }),
        summarize({ key: 'worst', label: 'worst jump', unit: 'ms', better: 'lower', chronicle: samples.map((s) => s.worst), baseline, baselineLabel, target: { kind: 'under', max: 16, text: '< 16 ms (a frame)' } }),
      ],
      details: {
        ...(samples.every((s) => s.prepared !== undefined)
          ? { 'snapshot index built ahead by store.prepareTravel(), in the background (ms)': median(samples.map((s) => s.prepared!)) }
          : {}),
        'median jump with the cards in a plain record instead of a Map (ms)': median(samples.map((s) => s.flatMedian)),
        'worst jump with the cards in a plain record instead of a Map (ms)': median(samples.map((s) => s.flatWorst)),
      },
    }
  },
}

export const undo: Scenario<HistoryParams & { readonly samples: number }> = {
  id: 6,
  key: 'undo',
  title: 'Undo',
  params: { full: { runs: 3, n: 100_000, samples: 50 }, quick: { runs: 1, n: 5000, samples: 20 } },
  async run(context, { runs, n, samples: count }): Promise<Outcome> {
    const support = await context.browser.withPage((page) => page.call('historySupport'))
    if (support.undo) return { status: 'unavailable', note: support.undo }
    const samples = await repeat(runs, (run) =>
      onFilledLog(context, run, n, async (db) => {
        const undone = latenciesOf(await context.browser.withPage((page) => page.call('chronicleUndo', { db, n, samples: count })))
        const raw = latenciesOf(await context.browser.withPage((page) => page.call('rawUndo', { db: `${db}-raw`, samples: count })))
        await context.browser.withPage((page) => page.call('dropDatabases', { db: `${db}-raw` }))
        return { median: median(undone), worst: Math.max(...undone), raw: median(raw) }
      }),
    )
    const baselineLabel = 'raw idb, one transaction appending one event'
    const baseline = samples.map((s) => s.raw)
    return {
      status: 'measured',
      metrics: [
        summarize({ key: 'median', label: 'median undo', unit: 'ms', better: 'lower', chronicle: samples.map((s) => s.median), baseline, baselineLabel, target: { kind: 'under', max: 16, text: '< 16 ms' } }),
        summarize({ key: 'worst', label: 'worst undo', unit: 'ms', better: 'lower', chronicle: samples.map((s) => s.worst), baseline, baselineLabel }),
      ],
    }
  },
}
