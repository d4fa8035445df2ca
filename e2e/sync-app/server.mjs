// The sync server of the e2e tests (a Playwright webServer): builds the CLI and the Kanban test
// domain from source, as the server's own tests do, then runs that CLI in this process on a fresh
// SQLite file (in the build folder, emptied by each build: Playwright ends this process with
// SIGKILL, so nothing could clean up after it). Usage: node e2e/sync-app/server.mjs <port>
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { defaultServerConditions, runnerImport } from 'vite'

const root = resolve(import.meta.dirname, '../..')
const port = process.argv[2] ?? '4322'
const out = resolve(root, 'packages/server/.test-build-e2e')
const { module } = await runnerImport(resolve(root, 'packages/server/src/__tests__/globalSetup.ts'), {
  configFile: false,
  logLevel: 'warn',
  resolve: { conditions: ['@chronicle/source', ...defaultServerConditions] },
})
await module.buildTestServer(out)

const cli = resolve(out, 'cli.js')
process.argv = [process.argv[0], cli, '--domain', resolve(out, 'kanban.js'), '--db', resolve(out, 'data.sqlite'), '--port', port, '--cors', '*', '--rate', '0']
await import(pathToFileURL(cli).href)
