// Scenario 4: cold start over a long log, with a checkpoint at the head and without any.
import { summarize } from '../lib/results'
import { median, perSecond } from '../lib/stats'
import { inOrder, repeat, type Params, type Scenario } from './scenario'

export const coldStart: Scenario<Params & { readonly n: number }> = {
  id: 4,
  key: 'cold-start',
  title: 'Cold start',
  params: { full: { runs: 3, n: 100_000 }, quick: { runs: 2, n: 5000 } },
  async run({ browser, db: dbName, progress }, { runs, n }) {
    const samples = await repeat(runs, async (run, baselineFirst) => {
      const db = dbName(`log-${run}`)
      progress(`run ${run + 1}/${runs}: filling the log with ${n.toLocaleString('en-US')} events`)
      const fillMs = await browser.withPage((page) => page.call('fill', { db, n }))
      try {
        progress(`run ${run + 1}/${runs}: cold starts`)
        // Every measurement in a fresh page: a new JS heap, nothing cached in the page.
        const [replay, replayed] = await inOrder(
          baselineFirst,
          () => browser.withPage((page) => page.call('rawReplay', { db, n })),
          () =>
            browser.withPage(async (page) => {
              await page.call('clearCheckpoints', { db })
              return page.call('chronicleColdStart', { db, n })
            }),
        )
        const saved = await browser.withPage((page) => page.call('checkpointAtHead', { db, n }))
        const [readCheckpoints, fromCheckpoint] = await inOrder(
          baselineFirst,
          () => browser.withPage((page) => page.call('rawReadCheckpoints', { db, n })),
          () => browser.withPage((page) => page.call('chronicleColdStart', { db, n })),
        )
        // Last, as it changes the log: compacting the oldest tenth, as the leading tab would.
        const compacted = await browser.withPage((page) => page.call('compactOldest', { db, n, count: n / 10 }))
        const afterCompaction = await browser.withPage((page) => page.call('chronicleColdStart', { db, n }))
        return { fillMs, replay, replayed, readCheckpoints, fromCheckpoint, saved, compacted, afterCompaction }
      } finally {
        await browser.withPage((page) => page.call('dropDatabases', { db }))
      }
    })
    return {
      status: 'measured',
      metrics: [
        summarize({
          key: 'without-checkpoint',
          label: 'to every read model ready, no checkpoint',
          unit: 'ms',
          better: 'lower',
          chronicle: samples.map((s) => s.replayed),
          baseline: samples.map((s) => s.replay.read + s.replay.fold),
          baselineLabel: 'raw getAll of the log + a plain fold',
          target: { kind: 'ratio', min: 1 / 1.5, text: '<= 1.5x the time' },
        }),
        summarize({
          key: 'with-checkpoint',
          label: 'to every read model ready, checkpoint at the head',
          unit: 'ms',
          better: 'lower',
          chronicle: samples.map((s) => s.fromCheckpoint),
          baseline: samples.map((s) => s.readCheckpoints),
          baselineLabel: 'raw read of the checkpoints',
          target: { kind: 'overBaseline', max: 50, text: '<= baseline + 50 ms' },
        }),
      ],
      details: {
        'raw getAll of the log (ms)': median(samples.map((s) => s.replay.read)),
        'plain fold (ms)': median(samples.map((s) => s.replay.fold)),
        'fill through the store, group-committed (events/s)': median(samples.map((s) => perSecond(n, s.fillMs))),
        'saving the checkpoints at the head (ms)': median(samples.map((s) => s.saved.save)),
        "saving the checkpoints: the page's longest task (ms)": median(samples.map((s) => s.saved.longestTask)),
        'compacting the oldest tenth of the log after a cold start (ms)': median(samples.map((s) => s.compacted.compact)),
        "compacting: the page's longest task (ms)": median(samples.map((s) => s.compacted.longestTask)),
        'cold start after the compaction, checkpoint at the head (ms)': median(samples.map((s) => s.afterCompaction)),
      },
    }
  },
}
