import { fileURLToPath } from 'node:url'
import { defaultClientConditions, defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'
import { playwright } from '@vitest/browser-playwright'
import react from '@vitejs/plugin-react'
import { syncCommands } from './packages/sync/src/__tests__/browserCommands.ts'

/**
 * Workspace packages export their TypeScript source under the `@chronicle/source` condition, so
 * tests (and the demo) run on source with no build step while users get the built ESM.
 */
const sourceCondition = '@chronicle/source'

/** React 18.3 and the Testing Library that uses it, from their own package (see its package.json). */
const react18 = (name: string) => fileURLToPath(new URL(`./testing/react18/node_modules/${name}`, import.meta.url))

/** What the browser projects pre-bundle: discovering it mid-run re-optimizes and loads a second copy. */
const reactDeps = ['react', 'react/jsx-dev-runtime', 'react/jsx-runtime', 'react-dom', 'react-dom/client']

/** Every import of react, react-dom and Testing Library resolved to the React 18.3 install. */
const react18Aliases = [
  { find: /^react$/, replacement: react18('react') },
  { find: /^react\/(.*)$/, replacement: `${react18('react')}/$1` },
  { find: /^react-dom$/, replacement: react18('react-dom') },
  { find: /^react-dom\/(.*)$/, replacement: `${react18('react-dom')}/$1` },
  { find: '@testing-library/react', replacement: react18('@testing-library/react') },
]

export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
}

/** A browser project's browser: headless Chromium from the system (a fresh object each: Vitest names its instances in place). */
const headlessChromium = () => ({
  enabled: true,
  headless: true,
  screenshotFailures: false,
  provider: playwright({ launchOptions: chromiumLaunchOptions }),
  instances: [{ browser: 'chromium' as const }],
})

export default defineConfig({
  plugins: [react()],
  resolve: { conditions: [sourceCondition, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [sourceCondition, ...defaultServerConditions], externalConditions: [sourceCondition] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'jsdom',
          // Property and model-based tests run hundreds of stores: give them room on a busy machine
          // (the suite's time is measured by the run, never asserted).
          testTimeout: 120_000,
          setupFiles: ['testing/domWaits.ts'],
          include: ['packages/*/src/**/*.test.{ts,tsx}', 'demo/src/**/*.test.{ts,tsx}'],
          exclude: ['**/*.browser.test.{ts,tsx}', '**/*.node.test.{ts,tsx}', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        // The hook tests again on React 18.3: every import of react, react-dom and Testing Library
        // (tests, hooks, and what those packages import themselves) resolves to the 18.3 install.
        resolve: {
          alias: [
            { find: 'react', replacement: react18('react') },
            { find: 'react-dom', replacement: react18('react-dom') },
            { find: '@testing-library/react', replacement: react18('@testing-library/react') },
          ],
        },
        test: {
          name: 'react18',
          environment: 'jsdom',
          testTimeout: 120_000,
          setupFiles: ['testing/domWaits.ts'],
          include: ['packages/react/src/**/*.test.{ts,tsx}'],
          exclude: ['**/*.browser.test.{ts,tsx}', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        // The React hooks' Chromium tests again on React 18.3 (as the react18 project does in jsdom).
        resolve: { alias: react18Aliases },
        optimizeDeps: { include: [...reactDeps, '@testing-library/react'] },
        // Its own pre-bundle cache: sharing the browser project's would hand it React 19.
        cacheDir: 'node_modules/.vite-react18',
        test: {
          name: 'browser-react18',
          include: ['packages/react/src/**/*.browser.test.{ts,tsx}'],
          testTimeout: 60_000,
          browser: headlessChromium(),
        },
      },
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['packages/*/src/**/*.node.test.{ts,tsx}', 'bench/**/*.node.test.ts', 'scripts/**/*.node.test.ts'],
          // The sync server tests spawn real server processes from a bundle built here once.
          globalSetup: ['packages/server/src/__tests__/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'types',
          include: [],
          typecheck: {
            enabled: true,
            only: true,
            include: ['packages/*/src/**/*.test-d.{ts,tsx}'],
            tsconfig: './tsconfig.json',
          },
        },
      },
      {
        extends: true,
        // Pre-bundle React up front: discovering it mid-run re-optimizes and loads a second copy.
        optimizeDeps: { include: [...reactDeps, '@testing-library/react'] },
        test: {
          name: 'browser',
          include: ['packages/*/src/**/*.browser.test.{ts,tsx}', 'demo/src/**/*.browser.test.{ts,tsx}', 'bench/**/*.browser.test.{ts,tsx}'],
          testTimeout: 60_000,
          browser: {
            ...headlessChromium(),
            // Real sync server processes and controllable links for the sync client's tests.
            commands: syncCommands,
          },
        },
      },
    ],
  },
})
