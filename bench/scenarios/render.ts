// Scenario 3: from dispatch to a React component committing the new value.
import { summarize } from '../lib/results'
import { percentile } from '../lib/stats'
import { pairedRuns, type Params, type Scenario } from './scenario'

export const dispatchToRender: Scenario<Params & { readonly n: number }> = {
  id: 3,
  key: 'dispatch-to-render',
  title: 'Dispatch to render',
  params: { full: { runs: 3, n: 1000 }, quick: { runs: 2, n: 200 } },
  async run(context, { runs, n }) {
    const pairs = await pairedRuns(
      context,
      runs,
      (page, db) => page.call('rawRender', { db, n }),
      (page, db) => page.call('chronicleRender', { db, n }),
    )
    const baselineLabel = 'raw idb transaction, then useSyncExternalStore'
    const at = (p: number) => ({
      chronicle: pairs.map(([, latencies]) => percentile(latencies, p)),
      baseline: pairs.map(([latencies]) => percentile(latencies, p)),
    })
    return {
      status: 'measured',
      metrics: [
        summarize({ key: 'median', label: 'median latency', unit: 'ms', better: 'lower', ...at(50), baselineLabel, target: { kind: 'under', max: 1, text: '< 1 ms' } }),
        summarize({ key: 'p99', label: 'p99 latency', unit: 'ms', better: 'lower', ...at(99), baselineLabel, target: { kind: 'under', max: 16, text: '< 16 ms (a frame)' } }),
      ],
    }
  },
}
