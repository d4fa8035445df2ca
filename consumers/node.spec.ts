// A Node project that installs @chronicle/core from its tarball: an ES module script and a
// CommonJS script that require()s it, each on memory storage, and a Vitest suite of a domain
// tested with given().
import { expect, test } from '@playwright/test'
import { installApp, runOk } from './harness'

test.describe.configure({ mode: 'serial' })

let app = ''
test.beforeAll(async () => {
  test.setTimeout(180_000)
  app = await installApp('node', 'src')
})

test('an ES module imports @chronicle/core and runs a store on memory storage', async () => {
  const output = await runOk('node', ['src/import.mjs'], { cwd: app })
  expect(JSON.parse(output.trim().split('\n').at(-1)!)).toEqual({ position: 1, refused: 'duplicate', texts: ['Buy milk'] })
})

test('a CommonJS script require()s @chronicle/core (Node >= 20.19)', async () => {
  const output = await runOk('node', ['src/require.cjs'], { cwd: app })
  expect(JSON.parse(output.trim().split('\n').at(-1)!)).toEqual({ positions: [1, 2], n: 2 })
})

test('Vitest runs a domain test written with given()', async () => {
  const output = await runOk('node_modules/.bin/vitest', ['run', '--reporter=verbose'], { cwd: app })
  expect(output).toMatch(/Tests\s+.*4 passed/)
})
