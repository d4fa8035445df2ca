import { defaultClientConditions, defineConfig } from 'vite'

/** A page that loads @chronicle/core from source and exposes a test API on `window.tabs`. */
export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ['@chronicle/source', ...defaultClientConditions] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  logLevel: 'warn',
})
