// Clearing site data while the app is open (issue #22, item 5): Chromium deletes the origin's
// IndexedDB databases and force-closes their connections, aborting the transactions in flight.
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import { tabsAppUrl } from '../playwright.config'
import type { TabState } from './tabs-app/api'

let counter = 0
const uniqueName = () => `e2e-cleared-${Date.now()}-${counter++}`
const stateOf = (page: Page): Promise<TabState> => page.evaluate(() => window.tabs.state())
const burst = (page: Page, tab: string, count: number) => page.evaluate((o) => window.tabs.burst(o), { tab, count, lists: 3 })

/** A page of the tabs app with a store open on a fresh log; what reaches the page uncaught is collected. */
async function openPage(context: BrowserContext) {
  const page = await context.newPage()
  const uncaught: string[] = []
  page.on('pageerror', (error) => uncaught.push(`${error.name}: ${error.message}`))
  await page.goto(tabsAppUrl)
  await page.evaluate((name) => window.tabs.open({ name }), uniqueName())
  return { page, uncaught }
}

/** What the browser's "clear site data" does, through the DevTools protocol. */
async function clearSiteData(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page)
  await cdp.send('Storage.clearDataForOrigin', { origin: new URL(tabsAppUrl).origin, storageTypes: 'all' })
}

async function expectClearedAndClosed(page: Page, uncaught: readonly string[]) {
  // The store tells the app, on errors$, that the log is gone.
  await expect.poll(async () => (await stateOf(page)).errors.map((e) => e.code)).toContain('deleted')
  // The read models show what the log holds now: nothing.
  const state = await stateOf(page)
  expect({ position: state.position, lists: state.lists, order: state.order }).toEqual({ position: 0, lists: {}, order: [] })
  // Every later command is refused with the same code.
  expect(await burst(page, 'late', 2)).toEqual({ ok: [], failed: ['deleted', 'deleted'] })
  expect(uncaught).toEqual([])
}

test('site data cleared while the app is idle: deleted on errors$ and every dispatch, read models emptied, nothing uncaught', async ({ context }) => {
  const { page, uncaught } = await openPage(context)
  expect((await burst(page, 'a', 60)).ok).toHaveLength(60)
  expect((await stateOf(page)).position).toBe(120)
  await clearSiteData(context, page)
  await expectClearedAndClosed(page, uncaught)
})

test('site data cleared mid-burst: every command answered (acknowledged or refused with a StorageError code), nothing uncaught', async ({ context }) => {
  const { page, uncaught } = await openPage(context)
  expect((await burst(page, 'a', 20)).ok).toHaveLength(20)
  const inFlight = burst(page, 'b', 400)
  await clearSiteData(context, page)
  const result = await inFlight
  expect(result.ok.length + result.failed.length).toBe(400)
  expect(result.failed.filter((code) => !['deleted', 'closed', 'aborted'].includes(code))).toEqual([])
  await expectClearedAndClosed(page, uncaught)
})
