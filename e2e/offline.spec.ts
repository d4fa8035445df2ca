import { expect, test } from '@playwright/test'
import { addCard, cardButton, openBoard, titlesIn } from './board'

test('reloads with no network: the service worker serves the app shell and IndexedDB the data', async ({ page, context }) => {
  await openBoard(page)
  // Wait until the service worker has cached the shell and controls the page.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
    if (!navigator.serviceWorker.controller) await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }))
  })
  await addCard(page, 'To do', 'Added while online')

  await context.setOffline(true)
  await page.reload()
  await expect(cardButton(page, 'Added while online')).toBeVisible()
  await addCard(page, 'To do', 'Added while offline')
  await page.reload()
  await expect(cardButton(page, 'Added while offline')).toBeVisible()
  expect(await titlesIn(page, 'To do')).toEqual(expect.arrayContaining(['Added while online', 'Added while offline']))
  // Pages of the app work offline too (hash routes of the same shell).
  await page.goto('/#/dashboard')
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await context.setOffline(false)
})
