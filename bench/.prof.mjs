import { runnerImport } from 'vite'
process.env.NODE_ENV = 'production'
const { module } = await runnerImport('/work/notes/prof.ts', { configFile: false, logLevel: 'warn' })
await module.main(process.argv.slice(2))
