// The consumer suite (`pnpm test` runs it after e2e): apps outside the workspace that install
// the packed tarballs. `pnpm exec playwright test -c consumers/playwright.config.ts` runs it alone.
import { defineConfig } from '@playwright/test'
import { chromiumLaunchOptions } from '../vite.config'

export default defineConfig({
  testDir: '.',
  testMatch: /\.spec\.ts$/,
  globalSetup: './globalSetup.ts',
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // Two cores: installs and builds one at a time.
  workers: 1,
  // An install, a type-check and a production build can take a minute on a loaded machine.
  timeout: 180_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: '../.test-results/consumers-artifacts',
  use: { headless: true, launchOptions: chromiumLaunchOptions, trace: 'retain-on-failure' },
})
