import { resolve } from 'node:path'
import { defaultServerConditions, defineConfig } from 'vite'

// Bundles the demo's server (server/main.ts: the sync server with the Kanban domain, and the app's
// preview server) for plain `node`. The workspace packages come from source, through the
// `@chronicle/source` condition, so the server and the domain share one copy of @chronicle/core.
const conditions = ['@chronicle/source', ...defaultServerConditions]

export default defineConfig({
  root: import.meta.dirname,
  logLevel: 'warn',
  resolve: { conditions },
  ssr: { noExternal: true, resolve: { conditions, externalConditions: conditions } },
  build: {
    ssr: true,
    outDir: 'dist-server',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    rollupOptions: {
      input: { main: resolve(import.meta.dirname, 'server/main.ts') },
      // Native and Node-only packages load from node_modules at run time.
      external: [/^node:/, 'better-sqlite3', 'pg', 'ws', 'vite'],
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
})
