import { expect, test } from './fixtures'
import { boardSnapshot, cardButton, column, dragCard, openBoard, titlesIn } from './board'

test('a move past the WIP limit shows why it was refused and changes nothing', async ({ page }) => {
  await openBoard(page)
  await dragCard(page, 'Write the pricing page FAQ', 'Review')
  await expect(column(page, 'Review').getByText('2 / 2')).toBeVisible()
  const before = await boardSnapshot(page)

  await dragCard(page, 'Localize the onboarding emails', 'Review')
  const alert = page.getByRole('alert')
  await expect(alert).toContainText('Not allowed')
  await expect(alert).toContainText('“Review” is at its WIP limit of 2. Finish or move a card out of it first, or raise the limit.')
  expect(await boardSnapshot(page)).toEqual(before)

  await page.reload()
  await expect(cardButton(page, 'Localize the onboarding emails')).toBeVisible()
  expect(await boardSnapshot(page)).toEqual(before)
  expect(await titlesIn(page, 'Review')).toEqual(['Launch blog post', 'Write the pricing page FAQ'])
})

test('Done refuses a card with open checklist items, inside the card dialog', async ({ page }) => {
  await openBoard(page)
  await cardButton(page, 'Launch blog post').click()
  const dialog = page.getByRole('dialog', { name: 'Launch blog post' })
  await dialog.getByRole('combobox', { name: 'Column' }).selectOption({ label: 'Done' })
  await dialog.getByRole('button', { name: 'Move card' }).click()
  await expect(dialog.getByRole('alert')).toContainText('“Launch blog post” has 1 open checklist item. Tick it off before moving the card to “Done”.')
  expect(await titlesIn(page, 'Review')).toEqual(['Launch blog post'])

  await dialog.getByRole('checkbox', { name: 'Legal review' }).check()
  await dialog.getByRole('button', { name: 'Move card' }).click()
  await expect.poll(() => titlesIn(page, 'Done')).toContain('Launch blog post')
})
