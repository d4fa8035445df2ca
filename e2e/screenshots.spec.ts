import { addCard, cardButton, moveRight, openBoard, syncIndicator } from './board'
import { expect, openDevice, test } from './fixtures'

// `pnpm screenshots`: the pictures in the README, taken from the built app with its seed data.

test('board, time travel, offline, dashboard and devtools screenshots for the docs', async ({ browser }) => {
  // On `pnpm demo`'s own server (a fresh one in this run), as a visitor would see it.
  const { page, context } = await openDevice(browser)
  await openBoard(page)
  await expect(cardButton(page, 'Launch blog post')).toBeVisible()
  await expect(syncIndicator(page)).toHaveText('Sync: Synced')
  await page.mouse.move(0, 0)
  await page.screenshot({ path: 'docs/demo-board.png' })

  await page.getByRole('button', { name: 'Time travel' }).click()
  const slider = page.getByRole('slider', { name: 'Position in the history' })
  for (let i = 0; i < 12; i++) await slider.press('ArrowLeft')
  await expect(page.getByText('Viewing the past')).toBeVisible()
  await page.screenshot({ path: 'docs/demo-time-travel.png' })
  await page.getByRole('status').getByRole('button', { name: 'Back to live' }).click()

  await context.setOffline(true)
  await expect(syncIndicator(page)).toHaveText('Sync: Offline')
  await addCard(page, 'To do', 'Draft the launch email')
  await moveRight(page, 'Write the pricing page FAQ', 'In progress')
  await syncIndicator(page).click()
  await expect(page.getByRole('region', { name: 'Sync details' })).toBeVisible()
  await page.screenshot({ path: 'docs/demo-offline.png' })
  await context.setOffline(false)
  await expect(syncIndicator(page)).toHaveText('Sync: Synced')

  await page.goto('/#/dashboard')
  await expect(page.getByRole('heading', { name: 'Cycle time' }).or(page.getByText('Cycle time', { exact: true })).first()).toBeVisible()
  await expect(page.getByText('5 completions recorded')).toBeVisible()
  await page.screenshot({ path: 'docs/demo-dashboard.png', fullPage: true })

  await page.goto('/#/board')
  await page.getByRole('button', { name: 'Devtools', exact: true }).click()
  const devtools = page.getByRole('region', { name: 'Chronicle devtools' })
  const rows = devtools.getByRole('listbox', { name: 'Events' }).getByRole('option')
  await expect(rows.first()).toBeVisible()
  await rows.last().click()
  await devtools.getByRole('tab', { name: 'Read models' }).click()
  await page.mouse.move(0, 0)
  await page.screenshot({ path: 'docs/demo-devtools.png' })
})
