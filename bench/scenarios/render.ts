// Scenario 3: from dispatch to a React component committing the new value, with optimistic read
// models (the default: shown before the transaction commits) and with committed-only views.
import { summarize } from '../lib/results'
import { percentile } from '../lib/stats'
import { sidedRuns, type Params, type Scenario } from './scenario'

export const dispatchToRender: Scenario<Params & { readonly n: number }> = {
  id: 3,
  key: 'dispatch-to-render',
  title: 'Dispatch to render',
  params: { full: { runs: 3, n: 1000 }, quick: { runs: 2, n: 200 } },
  async run(context, { runs, n }) {
    const results = await sidedRuns(context, runs, {
      raw: (page, db) => page.call('rawRender', { db, n }),
      optimistic: (page, db) => page.call('chronicleRender', { db, n }),
      committed: (page, db) => page.call('chronicleRender', { db, n, committed: true }),
    })
    const baselineLabel = 'raw idb transaction, then useSyncExternalStore'
    const at = (side: 'optimistic' | 'committed', p: number) => ({
      chronicle: results.map((run) => percentile(run[side], p)),
      baseline: results.map((run) => percentile(run.raw, p)),
    })
    return {
      status: 'measured',
      metrics: [
        summarize({ key: 'median', label: 'median latency (optimistic read models)', unit: 'ms', better: 'lower', ...at('optimistic', 50), baselineLabel, target: { kind: 'under', max: 0.3, text: '< 0.3 ms' } }),
        summarize({ key: 'p99', label: 'p99 latency (optimistic read models)', unit: 'ms', better: 'lower', ...at('optimistic', 99), baselineLabel, target: { kind: 'under', max: 4, text: '< 4 ms' } }),
        summarize({ key: 'median-committed', label: 'median latency (committed only)', unit: 'ms', better: 'lower', ...at('committed', 50), baselineLabel, target: { kind: 'under', max: 1, text: '< 1 ms' } }),
        summarize({ key: 'p99-committed', label: 'p99 latency (committed only)', unit: 'ms', better: 'lower', ...at('committed', 99), baselineLabel, target: { kind: 'under', max: 16, text: '< 16 ms (a frame)' } }),
      ],
    }
  },
}
