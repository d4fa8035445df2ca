import { expect, test } from '@playwright/test'
import { cardButton, openBoard } from './board'

// `pnpm screenshots`: the pictures in the README, taken from the built app with its seed data.

test('board, time travel and dashboard screenshots for the docs', async ({ page }) => {
  await openBoard(page)
  await expect(cardButton(page, 'Launch blog post')).toBeVisible()
  await page.mouse.move(0, 0)
  await page.screenshot({ path: 'docs/demo-board.png' })
  await page.getByRole('button', { name: 'Time travel' }).click()
  const slider = page.getByRole('slider', { name: 'Position in the history' })
  for (let i = 0; i < 12; i++) await slider.press('ArrowLeft')
  await expect(page.getByText('Viewing the past')).toBeVisible()
  await page.screenshot({ path: 'docs/demo-time-travel.png' })
  await page.getByRole('status').getByRole('button', { name: 'Back to live' }).click()
  await page.goto('/#/dashboard')
  await expect(page.getByRole('heading', { name: 'Cycle time' }).or(page.getByText('Cycle time', { exact: true })).first()).toBeVisible()
  await expect(page.getByText('5 completions recorded')).toBeVisible()
  await page.screenshot({ path: 'docs/demo-dashboard.png', fullPage: true })
})
