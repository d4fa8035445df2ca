// What a scenario is to the runner: parameters for a full and a quick run, and a function that
// runs it several times and summarises the runs.
import type { BenchBrowser, BenchPage, PackageSource } from '../lib/browser'
import type { Metric } from '../lib/results'

/** A scenario's parameters: `runs` plus whatever sizes it takes (N, jumps, samples...). */
export type Params = Readonly<Record<string, number>> & { readonly runs: number }

/** What a scenario hands back to the runner. */
export type Outcome =
  | { readonly status: 'measured'; readonly metrics: readonly Metric[]; readonly details?: Readonly<Record<string, number>> }
  | { readonly status: 'unavailable'; readonly note: string }

/** What a scenario may use while it runs. */
export interface RunContext {
  readonly browser: BenchBrowser
  /** Where the page and the bundles take `@chronicle/*` from. */
  readonly from: PackageSource
  /** A database name unique to this benchmark run, scenario and label. */
  db(label: string): string
  /** A progress line on stderr. */
  progress(message: string): void
}

/** One benchmark scenario. */
export interface Scenario<P extends Params = Params> {
  readonly id: number
  readonly key: string
  readonly title: string
  readonly params: { readonly full: P; readonly quick: P }
  run(context: RunContext, params: P): Promise<Outcome>
}

/**
 * Runs `work` `runs` times; even runs measure the baseline first and odd runs Chronicle first, so
 * neither side always gets the warmer (or more fragmented) disk.
 */
export async function repeat<T>(runs: number, work: (run: number, baselineFirst: boolean) => Promise<T>): Promise<T[]> {
  const results: T[] = []
  for (let run = 0; run < runs; run++) results.push(await work(run, run % 2 === 0))
  return results
}

/** Runs two measurements in the order `repeat` chose and returns them as [baseline, chronicle]. */
export async function inOrder<B, C>(baselineFirst: boolean, baseline: () => Promise<B>, chronicle: () => Promise<C>): Promise<[B, C]> {
  if (baselineFirst) {
    const b = await baseline()
    return [b, await chronicle()]
  }
  const c = await chronicle()
  return [await baseline(), c]
}

/** One side of a paired measurement: runs in the page against a fresh database of that name. */
export type Side<T> = (page: BenchPage, db: string) => Promise<T>

/**
 * The common shape of a write scenario: each run opens a fresh page, measures the baseline and
 * Chronicle in fresh databases (order alternating), then deletes both databases.
 * Resolves with one [baseline, chronicle] pair per run.
 */
export function pairedRuns<B, C>({ browser, db, progress }: RunContext, runs: number, baseline: Side<B>, chronicle: Side<C>): Promise<[B, C][]> {
  return repeat(runs, (run, baselineFirst) =>
    browser.withPage(async (page) => {
      progress(`run ${run + 1}/${runs}`)
      const names = { raw: db(`raw-${run}`), chronicle: db(`chronicle-${run}`) }
      try {
        return await inOrder(
          baselineFirst,
          () => baseline(page, names.raw),
          () => chronicle(page, names.chronicle),
        )
      } finally {
        for (const name of Object.values(names)) await page.call('dropDatabases', { db: name })
      }
    }),
  )
}

/** One of several sides of a run: like `Side`, also told the run's index (to seed random picks). */
export type RunSide<T> = (page: BenchPage, db: string, run: number) => Promise<T>

/**
 * `pairedRuns` for more than two sides: each run opens a fresh page and runs every side against a
 * fresh database of its own, in the order given on even runs (baselines first) and reversed on odd
 * runs, then deletes the databases. Resolves with each run's results by side.
 */
export function sidedRuns<K extends string, T>({ browser, db, progress }: RunContext, runs: number, sides: Readonly<Record<K, RunSide<T>>>, label = ''): Promise<Record<K, T>[]> {
  return repeat(runs, (run, baselineFirst) =>
    browser.withPage(async (page) => {
      progress(`run ${run + 1}/${runs}${label}`)
      const keys = Object.keys(sides) as K[]
      if (!baselineFirst) keys.reverse()
      const names = keys.map((key) => db(`${key}${label.replace(/\W+/g, '-')}-${run}`))
      try {
        const results = {} as Record<K, T>
        for (const [i, key] of keys.entries()) results[key] = await sides[key](page, names[i]!, run)
        return results
      } finally {
        for (const name of names) await page.call('dropDatabases', { db: name })
      }
    }),
  )
}
