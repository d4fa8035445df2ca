// Builds the CLI and the test domain from source (through the `@chronicle/source` condition) into
// one bundle, so the tests can spawn real server processes with plain `node`. Both entries share
// one copy of @chronicle/core, as an installed server and its domain module would.
import { resolve } from 'node:path'
import { build, defaultServerConditions } from 'vite'

export const serverRoot = resolve(import.meta.dirname, '../..')
export const testBuildDir = resolve(serverRoot, '.test-build')

export default async function setup() {
  const conditions = ['@chronicle/source', ...defaultServerConditions]
  await build({
    root: serverRoot,
    configFile: false,
    logLevel: 'warn',
    resolve: { conditions },
    ssr: { noExternal: true, resolve: { conditions, externalConditions: conditions } },
    build: {
      ssr: true,
      outDir: testBuildDir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rollupOptions: {
        input: { cli: resolve(serverRoot, 'src/cli.ts'), domain: resolve(serverRoot, 'src/__tests__/domain.ts') },
        external: [/^node:/, 'better-sqlite3', 'pg', 'ws'],
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  })
}
