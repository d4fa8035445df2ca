// The demo synced through real sync servers, in two browser contexts (two devices: their own
// IndexedDB, service worker and network), going offline with Playwright's network emulation.
import type { Page } from '@playwright/test'
import { addCard, card, cardButton, column, moveRight, openBoard, serviceWorkerReady, syncIndicator, titlesIn } from './board'
import { expect, openDevice, test } from './fixtures'

test('offline: add and move cards, reload with no network, come back: another browser sees every change (pnpm demo’s own server)', async ({ browser }) => {
  // Both devices use the server `pnpm demo` runs behind the app's origin; the titles are this run's own.
  const a = await openDevice(browser)
  const b = await openDevice(browser)
  const run = Date.now().toString(36)
  const [first, second] = [`Offline notes ${run}`, `Offline sketch ${run}`]
  await openBoard(a.page)
  await openBoard(b.page)
  await serviceWorkerReady(a.page)
  await expect(syncIndicator(a.page)).toHaveText('Sync: Synced')

  await a.context.setOffline(true)
  await expect(syncIndicator(a.page)).toHaveText('Sync: Offline')
  await addCard(a.page, 'To do', first)
  await addCard(a.page, 'To do', second)
  // A move that does not depend on what else is on this shared board: the second card goes up above the first.
  await cardButton(a.page, second).focus()
  await a.page.keyboard.press('Shift+ArrowUp')
  const order = async (page: Page) => (await titlesIn(page, 'To do')).filter((title) => title === first || title === second)
  await expect.poll(() => order(a.page)).toEqual([second, first])
  await expect(syncIndicator(a.page)).toHaveText('Sync: Offline · 3 pending')
  await expect(card(a.page, first).getByText('Pending')).toBeVisible()

  // The shell comes from the service worker, the data and the outbox from IndexedDB.
  await a.page.reload()
  await expect(cardButton(a.page, first)).toBeVisible()
  expect(await order(a.page)).toEqual([second, first])
  await expect(syncIndicator(a.page)).toHaveText('Sync: Offline · 3 pending')
  await expect(card(a.page, second).getByText('Pending')).toBeVisible()
  await expect(cardButton(b.page, first)).toHaveCount(0)

  await a.context.setOffline(false)
  await expect(syncIndicator(a.page)).toHaveText('Sync: Synced')
  await expect(card(a.page, first).getByText('Pending')).toHaveCount(0)
  await expect.poll(() => order(b.page)).toEqual([second, first])
  expect(await titlesIn(b.page, 'To do')).toEqual(await titlesIn(a.page, 'To do'))
  await a.context.close()
  await b.context.close()
})

test('two browsers offline break one WIP limit together: one move is rolled back, with a notice in that browser only', async ({ browser, syncServer }) => {
  const a = await openDevice(browser, syncServer)
  const b = await openDevice(browser, syncServer)
  await openBoard(a.page)
  await openBoard(b.page)
  await a.context.setOffline(true)
  await b.context.setOffline(true)

  // Review takes two cards and holds one: each device, offline, moves one more card there.
  await moveRight(a.page, 'Write the pricing page FAQ', 'In progress')
  await moveRight(a.page, 'Write the pricing page FAQ', 'Review')
  await moveRight(b.page, 'Localize the onboarding emails', 'In progress')
  await moveRight(b.page, 'Localize the onboarding emails', 'Review')
  for (const { page } of [a, b]) await expect(column(page, 'Review').getByText('2 / 2')).toBeVisible()

  await a.context.setOffline(false)
  await expect(syncIndicator(a.page)).toHaveText('Sync: Synced')
  await b.context.setOffline(false)
  const notice = b.page.getByRole('alert')
  await expect(notice).toContainText('Not accepted by the server')
  await expect(notice).toContainText('Moving “Localize the onboarding emails” to Review was rolled back: “Review” is at its WIP limit of 2.')
  await expect(syncIndicator(b.page)).toHaveText('Sync: Synced')

  // Both show the server's outcome: b's move into In progress stands, its move into Review does not.
  for (const { page } of [a, b]) {
    await expect.poll(() => titlesIn(page, 'Review')).toEqual(['Launch blog post', 'Write the pricing page FAQ'])
    await expect.poll(() => titlesIn(page, 'In progress')).toContain('Localize the onboarding emails')
  }
  await expect(a.page.getByRole('alert')).toHaveCount(0)
  await a.context.close()
  await b.context.close()
})

test('the devtools open from the header, and their time travel changes what the board shows', async ({ page }) => {
  await openBoard(page)
  await addCard(page, 'To do', 'Seen by the devtools')
  await page.getByRole('button', { name: 'Devtools', exact: true }).click()
  const devtools = page.getByRole('region', { name: 'Chronicle devtools' })
  await expect(devtools).toBeVisible()
  await expect(devtools.getByRole('button', { name: 'Step back' })).toBeEnabled()
  await expect(syncIndicator(page)).toHaveText('Sync: Synced')

  await devtools.getByRole('button', { name: 'Step back' }).click()
  await expect(page.getByText('Viewing the past')).toBeVisible()
  await expect(cardButton(page, 'Seen by the devtools')).toBeHidden()
  // Closing the devtools returns the app to live.
  await devtools.getByRole('button', { name: 'Close Chronicle devtools' }).click()
  await expect(devtools).toBeHidden()
  await expect(page.getByText('Viewing the past')).toBeHidden()
  await expect(cardButton(page, 'Seen by the devtools')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Devtools', exact: true })).toBeFocused()
})
