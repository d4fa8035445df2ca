// What every consumer app's page must do in Chromium: add to-dos, show validation and rule errors,
// and still show the to-dos after a reload (they come back from IndexedDB).
import { expect, type Page } from '@playwright/test'

export async function addTodosAndReload(page: Page, url: string): Promise<void> {
  await page.goto(url)
  await expect(page.locator('main[data-ready="true"]')).toBeVisible()
  const title = page.getByLabel('Title')
  await title.fill('Buy milk')
  await page.getByRole('button', { name: 'Add' }).click()
  await expect(page.getByRole('listitem')).toHaveText(['Buy milk'])
  await expect(title).toHaveValue('')

  await title.fill('Write docs')
  await page.getByRole('button', { name: 'Add' }).click()
  await expect(page.getByRole('listitem')).toHaveText(['Buy milk', 'Write docs'])

  // The schema refuses an empty title (ValidationError with the schema's message)...
  await page.getByRole('button', { name: 'Add' }).click()
  await expect(page.locator('main').getByRole('alert')).toHaveText('Write a title first')
  // ...and the handler refuses a duplicate (RuleViolation).
  await title.fill('Buy milk')
  await page.getByRole('button', { name: 'Add' }).click()
  await expect(page.locator('main').getByRole('alert')).toHaveText('"Buy milk" is already on the list')
  await expect(page.getByRole('listitem')).toHaveCount(2)

  await page.reload()
  await expect(page.locator('main[data-ready="true"]')).toBeVisible()
  await expect(page.getByRole('listitem')).toHaveText(['Buy milk', 'Write docs'])
}
