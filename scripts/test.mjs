// `pnpm test`: every suite, one after another, then one summary line `N passed, N failed`
// (`, N skipped` when any) summed over all of them. Exits non-zero when anything failed or a suite
// could not run at all. Extra arguments go to vitest (e.g. `pnpm test packages/core`).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const out = resolve(root, '.test-results')
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
const bin = (name) => resolve(root, 'node_modules/.bin', name)
const extra = process.argv.slice(2)

/** @type {{ name: string, passed: number, failed: number, skipped: number }[]} */
const suites = []

function run(name, command, args, env = {}) {
  console.log(`\n── ${name} ──`)
  const started = Date.now()
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  console.log(`── ${name}: exit ${result.status ?? result.signal} in ${((Date.now() - started) / 1000).toFixed(1)} s ──`)
  return result.status === 0
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

// 1. The project-wide typecheck counts as one check.
{
  const ok = run('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'])
  suites.push({ name: 'typecheck', passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 })
}

// 2. Vitest: unit (jsdom), node, types (expectTypeOf) and browser (headless Chromium) projects.
{
  const file = resolve(out, 'vitest.json')
  const ok = run('vitest', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`, ...extra])
  const report = readJson(file)
  if (!report) {
    suites.push({ name: 'vitest', passed: 0, failed: 1, skipped: 0 })
  } else {
    const failed = report.numFailedTests + (ok || report.numFailedTests > 0 ? 0 : 1)
    suites.push({
      name: 'vitest',
      passed: report.numPassedTests,
      failed,
      skipped: report.numPendingTests + report.numTodoTests,
    })
  }
}

/** Runs a Playwright suite with its JSON report and counts it. */
function playwrightSuite(name, args) {
  const file = resolve(out, `${name}.json`)
  const ok = run(name, bin('playwright'), ['test', ...args, '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: file })
  const report = readJson(file)
  if (!report?.stats) {
    suites.push({ name, passed: 0, failed: 1, skipped: 0 })
  } else {
    const { expected, unexpected, flaky, skipped } = report.stats
    suites.push({ name, passed: expected + flaky, failed: unexpected + (ok || unexpected > 0 ? 0 : 1), skipped })
  }
}

// 3. End-to-end tests (Playwright against the built demo and real servers), once they exist.
if (existsSync(resolve(root, 'playwright.config.ts')) && extra.length === 0) playwrightSuite('e2e', [])

// 4. Consumer apps outside the workspace that install the packed tarballs (consumers/): the
//    packages checked with publint and attw, a Vite React app, a Next.js app, Node and Vitest.
if (extra.length === 0) playwrightSuite('consumers', ['-c', 'consumers/playwright.config.ts'])

const total = suites.reduce((sum, s) => ({ passed: sum.passed + s.passed, failed: sum.failed + s.failed, skipped: sum.skipped + s.skipped }), { passed: 0, failed: 0, skipped: 0 })
console.log('')
for (const s of suites) console.log(`${s.name.padEnd(10)} ${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''}`)
const line = `${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`
writeFileSync(resolve(out, 'summary.txt'), `${line}\n`)
console.log(line)
process.exit(total.failed > 0 ? 1 : 0)
