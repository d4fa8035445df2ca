// Scenarios 9-13 (issue #18): durable writes on the domain shapes where each entity is its own
// aggregate, one at a time and in a burst, each against raw IndexedDB in the same run; and
// dispatch to render on two of them.
import type { Shape } from '../page/steps/shapes'
import { summarize, type Metric } from '../lib/results'
import { median, percentile, perSecond } from '../lib/stats'
import { sidedRuns, type Params, type RunContext, type RunSide, type Scenario } from './scenario'

type ShapeParams = Params & { readonly n: number; readonly batch: number; readonly streams: number }

const existing = (shape: Shape) => shape === 'cold' || shape === 'working'

/** One mode's runs: the target baseline, for `cold` and `working` the record baseline, and Chronicle. */
function modeRuns(context: RunContext, shape: Shape, { runs, n, batch, streams }: ShapeParams, burst: boolean) {
  const size = burst ? batch : 1
  const common = (db: string, run: number) => ({ db, shape, n, streams, seed: run + 1 })
  const sides: Record<string, RunSide<number>> = {
    raw: (page, db, run) => page.call('rawShape', { ...common(db, run), batch: size }),
    ...(existing(shape) ? { records: ((page, db, run) => page.call('rawRecords', { ...common(db, run), batch: size })) satisfies RunSide<number> } : {}),
    chronicle: (page, db, run) => page.call('chronicleShape', { ...common(db, run), burst }),
  }
  return sidedRuns(context, runs, sides, burst ? ' (burst)' : ' (one at a time)')
}

/** A write scenario over one shape: commands/s one at a time (target 0.90x) and in a burst (0.60x). */
function shapeScenario(id: number, key: string, title: string, shape: Shape, full: ShapeParams, quick: ShapeParams): Scenario<ShapeParams> {
  return {
    id,
    key,
    title,
    params: { full, quick },
    async run(context, params) {
      const { n, batch } = params
      const one = await modeRuns(context, shape, params, false)
      const burst = await modeRuns(context, shape, params, true)
      const rates = (runs: Record<string, number>[], side: string) => runs.map((r) => perSecond(n, r[side]!))
      const batchText = batch.toLocaleString('en-US')
      const metrics: Metric[] = [
        summarize({
          key: 'one-at-a-time',
          label: 'commands/s, each awaited until durable',
          unit: 'events/s',
          better: 'higher',
          chronicle: rates(one, 'chronicle'),
          baseline: rates(one, 'raw'),
          baselineLabel: 'raw idb, one transaction per event',
          target: { kind: 'ratio', min: 0.9, text: '>= 0.90x' },
        }),
        summarize({
          key: 'burst',
          label: 'commands/s, dispatched at once, all awaited',
          unit: 'events/s',
          better: 'higher',
          chronicle: rates(burst, 'chronicle'),
          baseline: rates(burst, 'raw'),
          baselineLabel: `raw idb, transactions of ${batchText} events`,
          target: { kind: 'ratio', min: 0.6, text: '>= 0.60x' },
        }),
      ]
      if (!existing(shape)) return { status: 'measured', metrics }
      const ratio = (runs: Record<string, number>[]) => median(runs.map((r) => r.records! / r.chronicle!))
      return {
        status: 'measured',
        metrics,
        details: {
          'raw get + put of a record, one transaction per command (events/s)': median(rates(one, 'records')),
          'Chronicle one at a time against it (ratio)': ratio(one),
          [`raw get + put of a record, ${batchText} commands per transaction (events/s)`]: median(rates(burst, 'records')),
          'Chronicle in a burst against it (ratio)': ratio(burst),
        },
      }
    },
  }
}

export const sharedStream = shapeScenario(9, 'shape-shared-stream', 'One shared stream', 'shared', { runs: 3, n: 2000, batch: 1000, streams: 0 }, { runs: 2, n: 300, batch: 1000, streams: 0 })

export const newStreams = shapeScenario(10, 'shape-new-streams', 'A new stream per command', 'create', { runs: 3, n: 2000, batch: 1000, streams: 0 }, { runs: 2, n: 300, batch: 1000, streams: 0 })

export const coldStreams = shapeScenario(11, 'shape-cold-streams', 'Existing streams after a cold start', 'cold', { runs: 3, n: 2000, batch: 1000, streams: 2000 }, { runs: 2, n: 300, batch: 1000, streams: 2000 })

export const workingSet = shapeScenario(12, 'shape-working-set', 'Working set over the write-model cache', 'working', { runs: 3, n: 2000, batch: 1000, streams: 20_000 }, { runs: 2, n: 300, batch: 1000, streams: 20_000 })

/** Scenario 13: dispatch to render, as scenario 3, on a new stream per command (b) and on existing streams after a cold start (c). */
export const shapeRender: Scenario<Params & { readonly n: number; readonly streams: number }> = {
  id: 13,
  key: 'shape-dispatch-to-render',
  title: 'Dispatch to render, per-entity streams',
  params: { full: { runs: 3, n: 1000, streams: 2000 }, quick: { runs: 2, n: 200, streams: 2000 } },
  async run(context, { runs, n, streams }) {
    const metrics: Metric[] = []
    for (const [shape, what] of [
      ['create', 'new stream per command'],
      ['cold', 'existing streams after a cold start'],
    ] as const) {
      const params = (db: string, run: number) => ({ db, shape, n, streams, seed: run + 1 })
      const pairs = await sidedRuns<'raw' | 'chronicle', number[]>(
        context,
        runs,
        { raw: (page, db, run) => page.call('rawShapeRender', params(db, run)), chronicle: (page, db, run) => page.call('chronicleShapeRender', params(db, run)) },
        ` (${shape})`,
      )
      const baselineLabel = 'raw idb transaction, then useSyncExternalStore'
      const at = (p: number) => ({ chronicle: pairs.map((r) => percentile(r.chronicle, p)), baseline: pairs.map((r) => percentile(r.raw, p)) })
      metrics.push(
        summarize({ key: `${shape}-median`, label: `${what}: median latency`, unit: 'ms', better: 'lower', ...at(50), baselineLabel, target: { kind: 'under', max: 1, text: '< 1 ms' } }),
        summarize({ key: `${shape}-p99`, label: `${what}: p99 latency`, unit: 'ms', better: 'lower', ...at(99), baselineLabel, target: { kind: 'under', max: 16, text: '< 16 ms (a frame)' } }),
      )
    }
    return { status: 'measured', metrics }
  },
}
