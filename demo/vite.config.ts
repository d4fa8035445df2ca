import { defaultClientConditions, defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import { serviceWorker } from './vite/serviceWorker.js'

export default defineConfig({
  plugins: [react(), serviceWorker({ entry: 'src/sw/serviceWorker.ts' })],
  // Run the workspace packages from source, like the tests do.
  resolve: { conditions: ['@chronicle/source', ...defaultClientConditions] },
  build: { sourcemap: true, target: 'es2022' },
  // `pnpm demo` serves the build here; the end-to-end tests pick their own port with DEMO_PORT.
  preview: { host: '127.0.0.1', port: Number(process.env.DEMO_PORT ?? 4173), strictPort: true },
})
