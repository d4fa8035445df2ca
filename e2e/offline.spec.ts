import { expect, test } from './fixtures'
import { addCard, cardButton, openBoard, serviceWorkerReady, titlesIn } from './board'

test('reloads with no network: the service worker serves the app shell and IndexedDB the data', async ({ page, context }) => {
  await openBoard(page)
  await serviceWorkerReady(page)
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
