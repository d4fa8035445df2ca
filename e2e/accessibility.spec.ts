import AxeBuilder from '@axe-core/playwright'
import { expect, test, type Page } from '@playwright/test'
import { cardButton, openBoard } from './board'

/** Runs axe (WCAG 2.1 A and AA rules) on the page and lists what it finds. */
async function violations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)
}

test('the board, time travel, a card dialog, the dashboard and the activity feed pass axe', async ({ page }) => {
  await openBoard(page)
  expect(await violations(page)).toEqual([])

  await page.getByRole('button', { name: 'Time travel' }).click()
  await page.getByRole('slider', { name: 'Position in the history' }).press('ArrowLeft')
  await expect(page.getByText('Viewing the past')).toBeVisible()
  expect(await violations(page)).toEqual([])
  // A click outside the time-travel panel closes it.
  await page.getByRole('status').getByRole('button', { name: 'Back to live' }).click()
  await expect(page.getByRole('region', { name: 'Time travel' })).toBeHidden()

  await cardButton(page, 'Launch blog post').click()
  await expect(page.getByRole('dialog', { name: 'Launch blog post' })).toBeVisible()
  expect(await violations(page)).toEqual([])
  await page.keyboard.press('Escape')

  await page.getByRole('link', { name: 'Dashboard' }).click()
  await expect(page.getByText('5 completions recorded')).toBeVisible()
  expect(await violations(page)).toEqual([])

  await page.getByRole('link', { name: 'Activity' }).click()
  await expect(page.getByRole('heading', { name: 'Activity', level: 1 })).toBeVisible()
  expect(await violations(page)).toEqual([])
})

test('every control is reachable with Tab and shows where focus is', async ({ page }) => {
  await openBoard(page)
  const seen: string[] = []
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab')
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement
      const style = getComputedStyle(el)
      return { name: el.getAttribute('aria-label') ?? el.textContent?.trim() ?? '', outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 }
    })
    seen.push(focused.name)
    expect(focused.outline, `focus on "${focused.name}" is visible`).toBe(true)
  }
  // Skip link, brand, pages, person menu, the board's own controls, then the first column.
  expect(seen.slice(0, 4)).toEqual(['Skip to content', 'Chronicle Kanban', 'Board', 'Dashboard'])
  expect(seen).toContain('Archived (1)')
  expect(seen).toContain('Settings of column To do')
  expect(seen).toContain('Set up error monitoring')
})
