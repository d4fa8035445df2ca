import { defineConfig } from '@playwright/test'
import { syncPagePort, syncPageUrl, syncServerPort, syncServerUrl } from './e2e/sync-app/config'
import { chromiumLaunchOptions } from './vite.config'

const vite = 'node node_modules/vite/bin/vite.js'

/**
 * End-to-end tests in real Chromium (the system browser; see TOOLCHAIN.md), one at a time, since
 * the machine has two cores. Each suite brings its own servers on its own ports.
 */
export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  workers: 1,
  forbidOnly: true,
  use: { browserName: 'chromium', headless: true, launchOptions: chromiumLaunchOptions },
  webServer: [
    // The sync test page (e2e/sync-app), built and served.
    {
      command: `${vite} build --config e2e/sync-app/vite.config.ts && ${vite} preview --config e2e/sync-app/vite.config.ts --host 127.0.0.1 --port ${syncPagePort} --strictPort`,
      url: syncPageUrl,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    // A sync server process (the CLI built from source, core's Kanban fixtures, a fresh SQLite file).
    {
      command: `node e2e/sync-app/server.mjs ${syncServerPort}`,
      url: `${syncServerUrl}/v1/health`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
  ],
})
