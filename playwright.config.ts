import { defineConfig } from '@playwright/test'
import { chromiumLaunchOptions } from './vite.config'

/** The tabs test page (e2e/tabs-app), built and served on its own port. */
export const tabsAppUrl = 'http://127.0.0.1:4317/'
const vite = 'node node_modules/vite/bin/vite.js'

/**
 * End-to-end tests in real Chromium (the system browser; see TOOLCHAIN.md). Each test opens
 * several pages of one origin; tests run one at a time, since the machine has two cores.
 */
export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  workers: 1,
  forbidOnly: true,
  use: { browserName: 'chromium', headless: true, launchOptions: chromiumLaunchOptions },
  webServer: [
    {
      command: `${vite} build --config e2e/tabs-app/vite.config.ts && ${vite} preview --config e2e/tabs-app/vite.config.ts --host 127.0.0.1 --port 4317 --strictPort`,
      url: tabsAppUrl,
      reuseExistingServer: false,
      timeout: 60_000,
    },
  ],
})
