import { resolve } from 'node:path'
import { defineConfig, devices } from '@playwright/test'
import { syncPagePort, syncPageUrl, syncServerPort, syncServerUrl } from './e2e/sync-app/config'
import { chromiumLaunchOptions } from './vite.config'
import { demoOrigin, demoPort } from './e2e/demoOrigin'

/** The tabs test page (e2e/tabs-app), built and served on its own port (`TABS_APP_PORT`, default 4317). */
const tabsAppPort = Number(process.env.TABS_APP_PORT ?? 4317)
export const tabsAppUrl = `http://127.0.0.1:${tabsAppPort}/`
const vite = 'node node_modules/vite/bin/vite.js'

const ci = Boolean(process.env.CI)
const desktop = { ...devices['Desktop Chrome'], viewport: { width: 1360, height: 860 } }

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: true,
  forbidOnly: ci,
  retries: 0,
  // Two cores here, and the tabs tests run several pages at once: one test at a time.
  workers: 1,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: ci ? 'list' : [['list']],
  outputDir: '.test-results/e2e-artifacts',
  use: {
    baseURL: demoOrigin,
    headless: true,
    launchOptions: chromiumLaunchOptions,
    serviceWorkers: 'allow',
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'chromium', use: desktop, testIgnore: /screenshots\.spec\.ts/ },
    // The docs' screenshots are taken on demand (`pnpm screenshots`), not on every test run.
    ...(process.env.SCREENSHOTS ? [{ name: 'screenshots', use: desktop, testMatch: /screenshots\.spec\.ts/ }] : []),
  ],
  webServer: [
    {
      // Builds the demo and serves the build beside its sync server, as `pnpm demo` does (on a fresh database of its own).
      command: 'pnpm --filter @chronicle/demo demo',
      env: { DEMO_PORT: String(demoPort), DEMO_DB: resolve(import.meta.dirname, '.test-results/e2e-demo.sqlite'), DEMO_FRESH: '1' },
      url: demoOrigin,
      // Never reuse: a server already on this port may be another checkout's build.
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: `${vite} build --config e2e/tabs-app/vite.config.ts && ${vite} preview --config e2e/tabs-app/vite.config.ts --host 127.0.0.1 --port ${tabsAppPort} --strictPort`,
      url: tabsAppUrl,
      reuseExistingServer: false,
      timeout: 60_000,
    },
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
