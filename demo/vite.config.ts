import { defaultClientConditions, defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  plugins: [react()],
  // Run the workspace packages from source, like the tests do.
  resolve: { conditions: ['@chronicle/source', ...defaultClientConditions] },
})
