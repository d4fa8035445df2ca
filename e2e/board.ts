import { expect, type Locator, type Page } from '@playwright/test'

// Page helpers for the Kanban demo, addressed the way a person (or a screen reader) finds things.

/** Opens the board and waits for the seeded cards. */
export async function openBoard(page: Page): Promise<void> {
  await page.goto('/')
  await expect(cardButton(page, 'Set up error monitoring')).toBeVisible()
}

/** A column, by its name (a labelled region). */
export function column(page: Page, name: string): Locator {
  return page.getByRole('region', { name, exact: true })
}

/** The list of a column's cards (the drop zone). */
export function cardList(page: Page, name: string): Locator {
  return page.getByRole('list', { name: `Cards in ${name}`, exact: true })
}

/** The button that opens a card (its keyboard handle), by title. */
export function cardButton(page: Page, title: string): Locator {
  return page.locator('.columns').getByRole('button', { name: title, exact: true })
}

/** The card element (the drag handle), by title. */
export function card(page: Page, title: string): Locator {
  return page.locator('[data-card-id]').filter({ has: page.getByRole('button', { name: title, exact: true }) })
}

/** The titles of a column's cards, top to bottom. */
export function titlesIn(page: Page, name: string): Promise<string[]> {
  return cardList(page, name).locator('.card-open').allTextContents()
}

/** Every column's titles, for before/after comparisons. */
export async function boardSnapshot(page: Page): Promise<Record<string, string[]>> {
  const names = ['To do', 'In progress', 'Review', 'Done']
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await titlesIn(page, name)] as const)))
}

/** Adds a card at the bottom of a column through its "Add a card" form. */
export async function addCard(page: Page, columnName: string, title: string): Promise<void> {
  await column(page, columnName).getByRole('button', { name: `Add a card to ${columnName}` }).click()
  await page.getByRole('textbox', { name: `Title of the new card in ${columnName}` }).fill(title)
  await page.keyboard.press('Enter')
  await expect(cardButton(page, title)).toBeVisible()
  await page.keyboard.press('Escape')
  // The form gives focus back to its button in the next frame: wait, so it cannot take it from what the test focuses next.
  await expect(column(page, columnName).getByRole('button', { name: `Add a card to ${columnName}` })).toBeFocused()
}

/** Drags a card onto a column's list, near its bottom (so it lands last). */
export async function dragCard(page: Page, title: string, columnName: string): Promise<void> {
  const target = cardList(page, columnName)
  const box = (await target.boundingBox())!
  await card(page, title).dragTo(target, { targetPosition: { x: box.width / 2, y: box.height - 4 } })
}

/** The header's sync indicator (its accessible name starts with "Sync:"). */
export function syncIndicator(page: Page): Locator {
  return page.getByRole('button', { name: /^Sync: / })
}

/** Waits until the service worker has cached the app shell and controls the page. */
export async function serviceWorkerReady(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
    if (!navigator.serviceWorker.controller) await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }))
  })
}

/** Moves the focused card one column to the right with the keyboard, and waits until it shows there. */
export async function moveRight(page: Page, title: string, to: string): Promise<void> {
  await cardButton(page, title).focus()
  await page.keyboard.press('Shift+ArrowRight')
  await expect.poll(() => titlesIn(page, to)).toContain(title)
}
