import { defaultClientConditions, defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

/** A page that loads Chronicle from source and exposes a test API on `window.syncTest`. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  resolve: { conditions: ['@chronicle/source', ...defaultClientConditions] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  logLevel: 'warn',
})
