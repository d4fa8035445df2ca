// Builds the CLI and the test domains from source (through the `@chronicle/source` condition) into
// one bundle, so the tests can spawn real server processes with plain `node`. The entries share
// one copy of @chronicle/core, as an installed server and its domain module would. The sync
// client's browser tests and e2e tests build their own copy (into their own folder) the same way.
import { resolve } from 'node:path'
import { build, defaultServerConditions } from 'vite'

export const serverRoot = resolve(import.meta.dirname, '../..')
export const testBuildDir = resolve(serverRoot, '.test-build')

export default async function setup() {
  await buildTestServer(testBuildDir)
}

/**
 * Builds `cli.js`, `domain.js` (shared lists), `kanban.js` (core's Kanban fixtures) and
 * `mounted.js` (the handler mounted in an app's server) into `outDir`, plus any `extra` entries.
 */
export async function buildTestServer(outDir: string, extra: Record<string, string> = {}) {
  const conditions = ['@chronicle/source', ...defaultServerConditions]
  await build({
    root: serverRoot,
    configFile: false,
    logLevel: 'warn',
    resolve: { conditions },
    ssr: { noExternal: true, resolve: { conditions, externalConditions: conditions } },
    build: {
      ssr: true,
      outDir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rollupOptions: {
        input: {
          cli: resolve(serverRoot, 'src/cli.ts'),
          domain: resolve(serverRoot, 'src/__tests__/domain.ts'),
          kanban: resolve(serverRoot, 'src/__tests__/kanban.ts'),
          mounted: resolve(serverRoot, 'src/__tests__/mountedServer.ts'),
          ...extra,
        },
        external: [/^node:/, 'better-sqlite3', 'pg', 'ws', 'hono', /^hono\//, '@hono/node-server'],
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  })
}
