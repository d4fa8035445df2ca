// `pnpm bench:server` entry point. The benchmark is TypeScript (cli.ts); Vite's module runner loads
// it, so Node 20 needs no loader.
import { runnerImport } from 'vite'

const { module } = await runnerImport(new URL('./cli.ts', import.meta.url).pathname, { configFile: false, logLevel: 'warn' })
process.exitCode = await module.main(process.argv.slice(2))
