// Scenarios 1 and 2: how fast durable commands go, one at a time and in a burst.
import { summarize } from '../lib/results'
import { perSecond } from '../lib/stats'
import { pairedRuns, type Params, type Scenario } from './scenario'

type WriteParams = Params & { readonly n: number }

export const oneByOne: Scenario<WriteParams> = {
  id: 1,
  key: 'dispatch-one-by-one',
  title: 'Durable dispatch, one at a time',
  params: { full: { runs: 5, n: 2000 }, quick: { runs: 3, n: 300 } },
  async run(context, { runs, n }) {
    const pairs = await pairedRuns(
      context,
      runs,
      (page, db) => page.call('rawOneByOne', { db, n }),
      (page, db) => page.call('chronicleOneByOne', { db, n }),
    )
    return {
      status: 'measured',
      metrics: [
        summarize({
          key: 'rate',
          label: 'commands/s, each awaited until durable',
          unit: 'events/s',
          better: 'higher',
          chronicle: pairs.map(([, ms]) => perSecond(n, ms)),
          baseline: pairs.map(([ms]) => perSecond(n, ms)),
          baselineLabel: 'raw idb, one transaction per event',
          target: { kind: 'ratio', min: 0.9, text: '>= 0.90x' },
        }),
      ],
    }
  },
}

export const burst: Scenario<WriteParams & { readonly batch: number }> = {
  id: 2,
  key: 'dispatch-burst',
  title: 'Burst dispatch',
  params: { full: { runs: 5, n: 10_000, batch: 1000 }, quick: { runs: 3, n: 2000, batch: 1000 } },
  async run(context, { runs, n, batch }) {
    const pairs = await pairedRuns(
      context,
      runs,
      (page, db) => page.call('rawBatched', { db, n, batch }),
      (page, db) => page.call('chronicleBurst', { db, n }),
    )
    return {
      status: 'measured',
      metrics: [
        summarize({
          key: 'rate',
          label: 'commands/s, dispatched at once, all awaited',
          unit: 'events/s',
          better: 'higher',
          chronicle: pairs.map(([, ms]) => perSecond(n, ms)),
          baseline: pairs.map(([ms]) => perSecond(n, ms)),
          baselineLabel: `raw idb, transactions of ${batch.toLocaleString('en-US')} events`,
          target: { kind: 'ratio', min: 0.6, text: '>= 0.60x' },
        }),
      ],
    }
  },
}
