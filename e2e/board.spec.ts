import { expect, test } from './fixtures'
import { addCard, boardSnapshot, card, cardButton, cardList, column, dragCard, openBoard, titlesIn } from './board'

test('adds cards, moves them by keyboard and by drag and drop, and keeps it all after a reload', async ({ page }) => {
  await openBoard(page)
  await addCard(page, 'To do', 'Write the release notes')
  expect(await titlesIn(page, 'To do')).toEqual(['Set up error monitoring', 'Write the pricing page FAQ', 'Keyboard shortcuts cheat sheet', 'Localize the onboarding emails', 'Write the release notes'])

  // Keyboard: focus the card, Shift+Up moves it up one, Shift+Right to the next column; focus follows it.
  const handle = cardButton(page, 'Write the release notes')
  await handle.focus()
  await page.keyboard.press('Shift+ArrowUp')
  await expect.poll(() => titlesIn(page, 'To do')).toEqual(['Set up error monitoring', 'Write the pricing page FAQ', 'Keyboard shortcuts cheat sheet', 'Write the release notes', 'Localize the onboarding emails'])
  await expect(handle).toBeFocused()
  await page.keyboard.press('Shift+ArrowRight')
  await expect.poll(() => titlesIn(page, 'In progress')).toEqual(['Invoice PDF export', 'Offline mode for the web app', 'Write the release notes'])
  await expect(handle).toBeFocused()
  await expect(column(page, 'In progress').getByText('3 / 3')).toBeVisible()
  // Plain arrows move focus between cards without moving anything.
  await page.keyboard.press('ArrowUp')
  await expect(cardButton(page, 'Offline mode for the web app')).toBeFocused()

  // Drag and drop: onto another column, then within a column.
  await dragCard(page, 'Keyboard shortcuts cheat sheet', 'Review')
  await expect.poll(() => titlesIn(page, 'Review')).toEqual(['Launch blog post', 'Keyboard shortcuts cheat sheet'])
  const top = (await cardList(page, 'To do').boundingBox())!
  await card(page, 'Localize the onboarding emails').dragTo(cardList(page, 'To do'), { targetPosition: { x: top.width / 2, y: 6 } })
  await expect.poll(() => titlesIn(page, 'To do')).toEqual(['Localize the onboarding emails', 'Set up error monitoring', 'Write the pricing page FAQ'])

  const before = await boardSnapshot(page)
  await page.reload()
  await expect(cardButton(page, 'Write the release notes')).toBeVisible()
  expect(await boardSnapshot(page)).toEqual(before)
})

test('edits a card in its dialog: title, checklist, comment and assignee survive a reload', async ({ page }) => {
  await openBoard(page)
  await cardButton(page, 'Write the pricing page FAQ').click()
  const dialog = page.getByRole('dialog', { name: 'Write the pricing page FAQ' })
  await expect(dialog).toBeVisible()
  await dialog.getByRole('textbox', { name: 'Title' }).fill('Write the pricing FAQ')
  await dialog.getByRole('textbox', { name: 'Description' }).fill('Cover refunds and seats.')
  await dialog.getByRole('button', { name: 'Save changes' }).click()
  const renamed = page.getByRole('dialog', { name: 'Write the pricing FAQ' })
  await expect(renamed).toBeVisible()
  await renamed.getByRole('textbox', { name: 'New checklist item' }).fill('Ask support for the top questions')
  await renamed.getByRole('button', { name: 'Add item' }).click()
  await renamed.getByRole('textbox', { name: 'Write a comment' }).fill('Draft is in the shared folder.')
  await renamed.getByRole('button', { name: 'Comment', exact: true }).click()
  await renamed.getByRole('combobox', { name: 'Assignee' }).selectOption({ label: 'Grace Hopper' })
  await expect(renamed.getByText('Ada Lovelace assigned this card to Grace Hopper')).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(renamed).toBeHidden()
  await expect(cardButton(page, 'Write the pricing FAQ')).toBeFocused()

  await page.reload()
  await cardButton(page, 'Write the pricing FAQ').click()
  const reopened = page.getByRole('dialog', { name: 'Write the pricing FAQ' })
  await expect(reopened.getByRole('textbox', { name: 'Description' })).toHaveValue('Cover refunds and seats.')
  await expect(reopened.getByRole('checkbox', { name: 'Ask support for the top questions' })).not.toBeChecked()
  await expect(reopened.locator('.comment-text')).toHaveText(['Draft is in the shared folder.'])
  await expect(reopened.getByRole('combobox', { name: 'Assignee' })).toHaveValue('grace')
})
