// `pnpm bench` entry point. The benchmark is TypeScript (bench/cli.ts); Vite's module runner loads
// it, so Node 20 needs no loader. See bench/lib/options.ts or `pnpm bench --help` for options.
import { runnerImport } from 'vite'

// Build the page and the apps as `vite build` builds an app: for production (production React,
// process.env.NODE_ENV replaced with "production"). Vite's module runner would otherwise set
// NODE_ENV to "development" first, and every later build in this process would keep it.
process.env.NODE_ENV = 'production'

const { module } = await runnerImport(new URL('./cli.ts', import.meta.url).pathname, { configFile: false, logLevel: 'warn' })
process.exitCode = await module.main(process.argv.slice(2))
