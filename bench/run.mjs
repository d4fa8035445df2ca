// `pnpm bench` entry point. The benchmark is TypeScript (bench/cli.ts); Vite's module runner loads
// it, so Node 20 needs no loader. See bench/lib/options.ts or `pnpm bench --help` for options.
import { runnerImport } from 'vite'

const { module } = await runnerImport(new URL('./cli.ts', import.meta.url).pathname, { configFile: false, logLevel: 'warn' })
process.exitCode = await module.main(process.argv.slice(2))
