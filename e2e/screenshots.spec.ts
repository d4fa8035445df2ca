import { expect, test } from '@playwright/test'
import { cardButton, openBoard } from './board'

// `pnpm screenshots`: the pictures in the README, taken from the built app with its seed data.

test('board and dashboard screenshots for the docs', async ({ page }) => {
  await openBoard(page)
  await expect(cardButton(page, 'Launch blog post')).toBeVisible()
  await page.mouse.move(0, 0)
  await page.screenshot({ path: 'docs/demo-board.png' })
  await page.goto('/#/dashboard')
  await expect(page.getByRole('heading', { name: 'Cycle time' }).or(page.getByText('Cycle time', { exact: true })).first()).toBeVisible()
  await expect(page.getByText('5 completions recorded')).toBeVisible()
  await page.screenshot({ path: 'docs/demo-dashboard.png', fullPage: true })
})
