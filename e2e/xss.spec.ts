import { expect, test } from './fixtures'
import { addCard, cardButton, openBoard } from './board'

const payload = '<img src=x onerror=alert(1)>'

test('card titles and comments render as text, never as HTML', async ({ page }) => {
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
  expect(dialogs).toEqual([])
})
