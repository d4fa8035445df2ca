// Sync between two browser contexts (two devices: separate IndexedDB, separate network) through
// a real sync server process, going offline with Playwright's network emulation.
import { expect, test, type Browser, type Page } from '@playwright/test'
import { syncPageUrl, syncServerUrl } from './sync-app/config'
import './sync-app/api'

let devices = 0
/** A device: a new browser context with the sync test page. */
async function device(browser: Browser) {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(`${syncPageUrl}?device=device-${++devices}&server=${encodeURIComponent(syncServerUrl)}`)
  await expect(page.getByTestId('status')).toHaveText('online, 0 pending')
  return { context, page }
}

const add = (page: Page, boardId: string, cardId: string) => page.evaluate(([b, c]) => window.syncTest.add(b!, c!), [boardId, cardId])
const move = (page: Page, boardId: string, cardId: string, to: string) => page.evaluate(([b, c, t]) => window.syncTest.move(b!, c!, t!), [boardId, cardId, to])
const column = (page: Page, name: string) => page.getByTestId(`column-${name}`)
const commandId = (answer: { commandId: string } | { refused: string }) => {
  if (!('commandId' in answer)) throw new Error(`The device refused the command: ${answer.refused}`)
  return answer.commandId
}
/** Resolves once the device has pushed everything and holds the server's events up to `position`. */
const synced = (page: Page, position: number) =>
  expect
    .poll(async () => {
      const status = await page.evaluate(() => window.syncTest.status())
      return status.online && status.pending === 0 && status.confirmedPosition >= position
    })
    .toBe(true)

test('commands made offline reach the other device once back online, and the other way round', async ({ browser }) => {
  const a = await device(browser)
  const b = await device(browser)
  await a.context.setOffline(true)
  await expect(a.page.getByTestId('status')).toHaveText('offline, 0 pending')
  for (const id of ['o1', 'o2', 'o3']) commandId(await add(a.page, 'offline', id))
  commandId(await move(a.page, 'offline', 'o1', 'doing'))
  commandId(await add(b.page, 'offline', 'b1'))
  await expect(a.page.getByTestId('status')).toHaveText('offline, 4 pending')
  await expect(column(a.page, 'todo')).toHaveText('o2 o3')
  await expect(column(b.page, 'todo')).toHaveText('b1')
  await expect(column(b.page, 'doing')).toHaveCount(0)

  await a.context.setOffline(false)
  await expect(a.page.getByTestId('status')).toHaveText('online, 0 pending')
  await synced(a.page, 5)
  await synced(b.page, 5)
  await expect(column(b.page, 'todo')).toHaveText('b1 o2 o3')
  await expect(column(b.page, 'doing')).toHaveText('o1')
  await expect(column(a.page, 'todo')).toHaveText('b1 o2 o3')
  const [logA, logB] = await Promise.all([a.page.evaluate(() => window.syncTest.log()), b.page.evaluate(() => window.syncTest.log())])
  expect(logA).toEqual(logB)
  expect(logA).toHaveLength(5)
})

test('two devices offline break one WIP limit together: after sync exactly one move is refused, on its own device only', async ({ browser }) => {
  const a = await device(browser)
  const b = await device(browser)
  const head = (await a.page.evaluate(() => window.syncTest.status())).confirmedPosition
  for (const id of ['w1', 'w2', 'w3', 'w4']) commandId(await add(a.page, 'wip', id))
  await synced(a.page, head + 4)
  await synced(b.page, head + 4)

  await a.context.setOffline(true)
  await b.context.setOffline(true)
  // "review" takes 3 cards at most; each device, offline, moves two there.
  for (const id of ['w1', 'w2']) commandId(await move(a.page, 'wip', id, 'review'))
  const moves = [commandId(await move(b.page, 'wip', 'w3', 'review')), commandId(await move(b.page, 'wip', 'w4', 'review'))]
  await expect(column(a.page, 'review')).toHaveText('w1 w2')
  await expect(column(b.page, 'review')).toHaveText('w3 w4')
  const outcomes = b.page.evaluate((ids) => Promise.all(ids.map((id) => window.syncTest.outcome(id))), moves)

  await a.context.setOffline(false)
  await synced(a.page, head + 6)
  await b.context.setOffline(false)
  expect(await outcomes).toEqual(['confirmed', 'wip-limit'])
  await synced(b.page, head + 7)
  await synced(a.page, head + 7)

  for (const { page } of [a, b]) await expect(column(page, 'review')).toHaveText('w1 w2 w3')
  await expect(b.page.getByTestId('rejections').getByRole('listitem')).toHaveText(['moveCard {"boardId":"wip","cardId":"w4","to":"review"} refused: wip-limit'])
  await expect(a.page.getByTestId('rejections').getByRole('listitem')).toHaveCount(0)
})
