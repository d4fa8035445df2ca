// `pnpm bench` command-line options.
import type { PackageSource } from './browser'

/** The highest scenario number (bench/scenarios/index.ts). */
export const lastScenario = 13

export interface BenchOptions {
  /** Small sizes and fewer runs: a developer loop under a minute. */
  readonly quick: boolean
  /** Scenario ids to run (all when empty). */
  readonly only: readonly number[]
  /** Runs per scenario, overriding each scenario's default. */
  readonly runs: number | undefined
  readonly from: PackageSource
  /** Where the JSON goes (the chart goes beside it, as .svg). */
  readonly out: string | undefined
  /** Rewrite the results block of docs/benchmarks.md (default: on a full run of every scenario). */
  readonly docs: boolean
  readonly help: boolean
}

export const usage = `pnpm bench [options]

  --quick          small sizes, fewer runs (under a minute); results go to bench/results/quick.tmp.*
  --only=1,3,8     run only these scenarios; results go to bench/results/partial.tmp.*
  --runs=N         runs per scenario instead of each scenario's default (also partial.tmp.*)
  --from=dist      bundle the built packages (pnpm build first) instead of the TypeScript source
  --out=FILE.json  write the JSON (and FILE.svg) here
  --no-docs        do not rewrite docs/benchmarks.md (a full run of every scenario does by default)
  --help           this text

Every figure is reported against a baseline measured in the same run (raw IndexedDB through idb;
for bundle size, a Redux Toolkit app with persistence, tab sync and undo). Missed targets are
reported, never an error: the exit code is non-zero only when the benchmark itself failed.`

/** Parses `process.argv.slice(2)`; throws on anything it does not know. */
export function parseOptions(args: readonly string[]): BenchOptions {
  let quick = false
  let only: number[] = []
  let runs: number | undefined
  let from: PackageSource = 'source'
  let out: string | undefined
  let docs: boolean | undefined
  let help = false
  for (const arg of args) {
    const [flag, value] = arg.split(/=(.*)/s) as [string, string | undefined]
    const need = () => {
      if (value === undefined || value === '') throw new Error(`${flag} needs a value, e.g. ${flag}=...`)
      return value
    }
    switch (flag) {
      case '--quick':
        quick = true
        break
      case '--only':
        only = need()
          .split(',')
          .map((id) => {
            const n = Number(id)
            if (!Number.isInteger(n) || n < 1 || n > lastScenario) throw new Error(`--only takes scenario numbers 1-${lastScenario}, got "${id}"`)
            return n
          })
        break
      case '--runs':
        runs = Number(need())
        if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs takes a whole number >= 1, got "${value}"`)
        break
      case '--from': {
        const source = need()
        if (source !== 'source' && source !== 'dist') throw new Error(`--from takes "source" or "dist", got "${source}"`)
        from = source
        break
      }
      case '--out':
        out = need()
        break
      case '--no-docs':
        docs = false
        break
      case '--docs':
        docs = true
        break
      case '--help':
      case '-h':
        help = true
        break
      default:
        throw new Error(`Unknown option "${arg}"\n\n${usage}`)
    }
  }
  return { quick, only, runs, from, out, docs: docs ?? (!quick && only.length === 0 && runs === undefined), help }
}
