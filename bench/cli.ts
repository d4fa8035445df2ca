// `pnpm bench`: runs the scenarios in headless Chromium against raw IndexedDB, then writes the
// terminal table, bench/results/*.json, the SVG chart of ratios and (on a full run) the results
// block of docs/benchmarks.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { benchRoot, startBrowser } from './lib/browser'
import { describeEnvironment } from './lib/environment'
import { parseOptions, usage } from './lib/options'
import type { BenchResult, ScenarioResult } from './lib/results'
import { renderChart } from './report/chart'
import { renderMarkdown, replaceBlock } from './report/markdown'
import { renderTable } from './report/table'
import { scenarios } from './scenarios'

const docsPage = resolve(benchRoot, '../docs/benchmarks.md')

/** Runs the benchmark; resolves with the process exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const options = parseOptions(args)
  if (options.help) {
    console.log(usage)
    return 0
  }
  // Only a full run of every scenario is the committed result; a partial one must not replace it.
  const complete = !options.quick && options.only.length === 0 && options.runs === undefined
  const out = resolve(options.out ?? resolve(benchRoot, 'results', options.quick ? 'quick.tmp.json' : complete ? 'full.json' : 'partial.tmp.json'))
  const chartFile = out.replace(/\.json$/, '') + '.svg'
  const chosen = scenarios.filter((s) => options.only.length === 0 || options.only.includes(s.id))
  const started = Date.now()
  const runId = `bench-${started.toString(36)}`
  const log = (text: string) => process.stderr.write(`${text}\n`)

  log(`Building the benchmark page (@chronicle/* from ${options.from}) and starting Chromium...`)
  const browser = await startBrowser(options.from)
  const results: ScenarioResult[] = []
  try {
    for (const [index, scenario] of chosen.entries()) {
      const defaults = options.quick ? scenario.params.quick : scenario.params.full
      const params = options.runs === undefined ? defaults : { ...defaults, runs: options.runs }
      const prefix = `[${index + 1}/${chosen.length}] ${scenario.id}. ${scenario.title}`
      log(prefix)
      const begun = Date.now()
      const context = {
        browser,
        from: options.from,
        db: (label: string) => `${runId}-s${scenario.id}-${label}`,
        progress: (text: string) => log(`    ${text}`),
      }
      try {
        const outcome = await scenario.run(context, params)
        results.push({ id: scenario.id, key: scenario.key, title: scenario.title, params, ...(outcome.status === 'measured' ? { status: 'measured', metrics: outcome.metrics, ...(outcome.details ? { details: outcome.details } : {}) } : { status: 'unavailable', note: outcome.note, metrics: [] }) })
      } catch (error) {
        log(`    failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
        results.push({ id: scenario.id, key: scenario.key, title: scenario.title, params, status: 'failed', note: error instanceof Error ? error.message.split('\n')[0]! : String(error), metrics: [] })
      }
      log(`    ${((Date.now() - begun) / 1000).toFixed(1)} s`)
    }
  } finally {
    await browser.close()
  }

  const result: BenchResult = {
    format: 1,
    quick: options.quick,
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    environment: describeEnvironment(browser.version, options.from),
    scenarios: results,
  }
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`)
  writeFileSync(chartFile, renderChart(result))
  console.log(`\n${renderTable(result)}\n`)
  console.log(`Results: ${relative(process.cwd(), out)}, chart: ${relative(process.cwd(), chartFile)} (${result.seconds.toFixed(0)} s)`)
  if (options.docs) {
    const from = dirname(docsPage)
    const block = renderMarkdown(result, { chart: relative(from, chartFile), json: relative(from, out) })
    let page = ''
    try {
      page = readFileSync(docsPage, 'utf8')
    } catch {
      page = '# Benchmarks\n'
    }
    writeFileSync(docsPage, replaceBlock(page, block))
    console.log(`Updated ${relative(process.cwd(), docsPage)}`)
  }
  return results.some((r) => r.status === 'failed') ? 1 : 0
}
