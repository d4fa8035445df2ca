// A Next.js App Router app that installs @chronicle/core and @chronicle/react from the packed
// tarballs: `next build` (which type-checks with TypeScript 5.9), a page rendered on the server
// for each request without IndexedDB, then the same page working in Chromium.
import { expect, test } from '@playwright/test'
import { freePort, installApp, runOk, serve, type Served } from './harness'
import { addTodosAndReload } from './todoPage'

test.describe.configure({ mode: 'serial' })

const env = { NEXT_TELEMETRY_DISABLED: '1' }
let app = ''
let server: Served | undefined

test.beforeAll(async () => {
  test.setTimeout(300_000)
  app = await installApp('next', 'app')
  await runOk('node_modules/.bin/next', ['build'], { cwd: app, env })
  const port = await freePort()
  server = await serve('node_modules/.bin/next', ['start', '--hostname', '127.0.0.1', '--port', String(port)], { cwd: app, url: `http://127.0.0.1:${port}/`, env })
})

test.afterAll(async () => {
  await server?.stop()
})

test('renders the page on the server: the domain runs there, the client component shows its initial state', async () => {
  const html = await (await fetch(server!.url)).text()
  expect(html).toContain('<h1>To do</h1>')
  expect(html).toContain('Checked on the server: <!-- -->ValidationError')
  expect(html).toContain('Nothing to do yet.')
  expect(html).toContain('data-ready="false"')
})

test('adds, refuses and keeps to-dos across a reload in Chromium', async ({ page }) => {
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  // Hydration mismatches and React's errors arrive as console errors (the missing favicon's 404 is no concern here).
  page.on('console', (message) => message.type() === 'error' && !message.text().startsWith('Failed to load resource') && errors.push(message.text()))
  await addTodosAndReload(page, server!.url)
  expect(errors).toEqual([])
})
