import { expect, test } from '@playwright/test'
import { addCard, boardSnapshot, cardButton, column, openBoard, titlesIn } from './board'

test('undo and redo from the header buttons and the keyboard change what the board shows', async ({ page }) => {
  await openBoard(page)
  const undo = page.getByRole('button', { name: 'Undo', exact: true })
  const redo = page.getByRole('button', { name: 'Redo', exact: true })
  await expect(undo).toBeDisabled()
  const before = await boardSnapshot(page)

  await addCard(page, 'To do', 'Undo me')
  await undo.click()
  await expect(cardButton(page, 'Undo me')).toBeHidden()
  expect(await boardSnapshot(page)).toEqual(before)
  await redo.click()
  await expect(cardButton(page, 'Undo me')).toBeVisible()

  // Shortcuts work anywhere but in a text field: Ctrl+Z, Ctrl+Shift+Z, Ctrl+Y.
  await cardButton(page, 'Undo me').focus()
  await page.keyboard.press('Shift+ArrowRight')
  await expect.poll(() => titlesIn(page, 'In progress')).toContain('Undo me')
  await page.keyboard.press('Control+z')
  await expect.poll(() => titlesIn(page, 'To do')).toContain('Undo me')
  await page.keyboard.press('Control+Shift+z')
  await expect.poll(() => titlesIn(page, 'In progress')).toContain('Undo me')
  await page.keyboard.press('Control+z')
  await page.keyboard.press('Control+z')
  await expect(cardButton(page, 'Undo me')).toBeHidden()
  await page.keyboard.press('Control+y')
  await expect(cardButton(page, 'Undo me')).toBeVisible()

  // In a text field Ctrl+Z belongs to the text.
  await column(page, 'To do').getByRole('button', { name: 'Add a card to To do' }).click()
  const title = page.getByRole('textbox', { name: 'Title of the new card in To do' })
  await title.fill('Typing')
  await title.press('Control+z')
  await expect(cardButton(page, 'Undo me')).toBeVisible()
})

test('an undo that a later change builds on is refused with a notice that names that change', async ({ page }) => {
  await openBoard(page)
  const handle = cardButton(page, 'Write the pricing page FAQ')
  await handle.focus()
  for (const to of ['In progress', 'Review', 'Done']) {
    await page.keyboard.press('Shift+ArrowRight')
    await expect.poll(() => titlesIn(page, to)).toContain('Write the pricing page FAQ')
  }
  // Reaching Done makes the board record the card's completion: a later command on the same board.
  await handle.click()
  const dialog = page.getByRole('dialog', { name: 'Write the pricing page FAQ' })
  await expect(dialog.getByText(/this card reached Done after/)).toBeVisible()
  await page.keyboard.press('Escape')
  const before = await boardSnapshot(page)

  await page.getByRole('button', { name: 'Undo', exact: true }).click()
  const alert = page.getByRole('alert')
  await expect(alert).toContainText('Cannot undo that')
  await expect(alert).toContainText('After your change: “Write the pricing page FAQ” reached Done after')
  expect(await boardSnapshot(page)).toEqual(before)
})

test('time travel shows the board as it was, read-only, and goes back to live', async ({ page }) => {
  await openBoard(page)
  await addCard(page, 'To do', 'From the future')
  const live = await boardSnapshot(page)

  await page.getByRole('button', { name: 'Time travel' }).click()
  const panel = page.getByRole('region', { name: 'Time travel' })
  const slider = panel.getByRole('slider', { name: 'Position in the history' })
  await expect(slider).toBeFocused()
  const position = panel.getByRole('status')
  const head = Number((await position.textContent())!.replace('Live, event ', ''))
  await slider.press('ArrowLeft')
  await expect(position).toHaveText(`Event ${head - 1} of ${head}`)
  await expect(cardButton(page, 'From the future')).toBeHidden()
  await expect(page.getByRole('status').filter({ hasText: 'Viewing the past' })).toBeVisible()

  // Read-only: no adding, no undo, and a keyboard move is refused with the reason.
  await expect(page.getByRole('button', { name: 'Add a card to To do' })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Undo', exact: true })).toBeDisabled()
  await cardButton(page, 'Write the pricing page FAQ').focus()
  await page.keyboard.press('Shift+ArrowRight')
  await expect(page.getByRole('alert')).toContainText('Read-only while you look at the past')
  expect(await titlesIn(page, 'To do')).toContain('Write the pricing page FAQ')

  // Further back: the very start, before the board existed.
  await slider.press('Home')
  await expect(page.getByText('The board did not exist yet at this point of its history.')).toBeVisible()

  await page.getByRole('status').getByRole('button', { name: 'Back to live' }).click()
  await expect(cardButton(page, 'From the future')).toBeVisible()
  await expect(page.getByText('Viewing the past')).toBeHidden()
  expect(await boardSnapshot(page)).toEqual(live)
})
