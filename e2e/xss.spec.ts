import { expect, test } from './fixtures'
import { addCard, cardButton, openBoard } from './board'

const payload = '<img src=x onerror=alert(1)>'

test('card titles and comments render as text, never as HTML, in the app and in its devtools', async ({ page }) => {
  const dialogs: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  await openBoard(page)
  await addCard(page, 'To do', payload)
  await expect(cardButton(page, payload)).toHaveText(payload)
  await expect(page.locator('main img')).toHaveCount(0)

  await cardButton(page, payload).click()
  const dialog = page.getByRole('dialog', { name: payload })
  await expect(dialog.getByRole('heading', { name: payload })).toBeVisible()
  await dialog.getByRole('textbox', { name: 'Write a comment' }).fill('<script>alert(2)</script><b>bold?</b>')
  await dialog.getByRole('button', { name: 'Comment', exact: true }).click()
  await expect(dialog.locator('.comment-text')).toHaveText('<script>alert(2)</script><b>bold?</b>')
  await expect(dialog.locator('img, script, b')).toHaveCount(0)
  await page.keyboard.press('Escape')

  await page.goto('/#/activity')
  await expect(page.getByText(payload).first()).toBeVisible()
  await expect(page.locator('main img, main script')).toHaveCount(0)

  // The devtools show the same payloads (event, causation, read models at that position) as text.
  await page.goto('/#/board')
  await page.getByRole('button', { name: 'Devtools', exact: true }).click()
  const devtools = page.getByRole('region', { name: 'Chronicle devtools' })
  const rows = devtools.getByRole('listbox', { name: 'Events' }).getByRole('option')
  await expect(rows.first()).toBeVisible()
  await rows.filter({ hasText: 'CardAdded' }).last().click()
  await expect(devtools.getByText(JSON.stringify(payload)).first()).toBeVisible()
  for (const tab of ['Causation', 'Read models']) {
    await devtools.getByRole('tab', { name: tab }).click()
    await expect(devtools.getByRole('tabpanel')).toBeVisible()
  }
  await expect(devtools.getByRole('tabpanel')).toContainText(payload)
  await expect(devtools.locator('img, b')).toHaveCount(0)
  expect(await page.evaluate(() => document.querySelectorAll('img[src="x"]').length)).toBe(0)
  expect(dialogs).toEqual([])
})
