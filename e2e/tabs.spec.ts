// Many tabs, one log (issue 5): several pages of one origin on one IndexedDB log, in real Chromium.
import { expect, test, type BrowserContext, type Page } from '@playwright/test'
import type { EventEnvelope } from '@chronicle/core'
import { schemaVersion } from '../packages/core/src/storage/indexedDbLayout'
import { tabsAppUrl } from '../playwright.config'
import type { BurstOptions, OpenOptions, TabState } from './tabs-app/api'

let counter = 0
const uniqueName = (what: string) => `e2e-${what}-${Date.now()}-${counter++}`

async function openTab(context: BrowserContext, options: OpenOptions): Promise<Page> {
  const page = await context.newPage()
  await page.goto(tabsAppUrl)
  await page.evaluate((o) => window.tabs.open(o), options)
  return page
}
const stateOf = (page: Page): Promise<TabState> => page.evaluate(() => window.tabs.state())
const burst = (page: Page, options: BurstOptions) => page.evaluate((o) => window.tabs.burst(o), options)
const logOf = (page: Page): Promise<EventEnvelope[]> => page.evaluate(() => window.tabs.log())
const readModels = ({ lists, order }: TabState) => ({ lists, order })
const leaders = async (pages: readonly Page[]) => (await Promise.all(pages.map(stateOf))).filter((s) => s.isLeader).length

/**
 * Waits until every page's read models reached `head`, with no settled() call: the broadcast did it
 * (or, after a page closed mid-burst, the next leader's catch-up, which can take longer than the
 * default 5 s poll: up to 20 s here).
 */
async function converged(pages: readonly Page[], head: number) {
  await expect.poll(async () => (await Promise.all(pages.map(stateOf))).map((s) => s.position), { timeout: 20_000 }).toEqual(pages.map(() => head))
}

/**
 * Checks the log as a whole and returns its commands in log order: every command wrote its two
 * events next to each other (none half-written), no command twice, every list's versions 1..n
 * and its totals 1..n (each command was decided on a state that held all earlier ones).
 */
function commandsOf(log: readonly EventEnvelope[]): string[] {
  const problems: string[] = []
  const order: string[] = []
  for (let i = 0; i < log.length; i += 2) {
    const added = log[i]!
    const tallied = log[i + 1]
    if (added.type !== 'ItemAdded' || tallied?.type !== 'Tallied' || tallied.meta.commandId !== added.meta.commandId) {
      problems.push(`command ${added.meta.commandId} at ${added.seq} is not ItemAdded + Tallied side by side`)
    }
    order.push(added.meta.commandId)
  }
  if (new Set(order).size !== order.length) problems.push('a command appears twice')
  const byList = new Map<string, EventEnvelope[]>()
  for (const event of log) byList.get(event.stream)?.push(event) ?? byList.set(event.stream, [event])
  for (const [list, events] of byList) {
    if (events.some((e, i) => e.version !== i + 1)) problems.push(`${list}: versions are not 1..n in log order`)
    const totals = events.filter((e) => e.type === 'Tallied').map((e) => (e.payload as { total: number }).total)
    if (totals.some((total, i) => total !== i + 1)) problems.push(`${list}: totals are not 1..n, a command was decided on a stale state`)
  }
  expect(problems).toEqual([])
  return order
}

test('three pages each dispatch 1,000 commands on overlapping lists: one log, the same read models everywhere', async ({ context }) => {
  const name = uniqueName('three')
  const pages = await Promise.all(['a', 'b', 'c'].map(() => openTab(context, { name })))
  const results = await Promise.all(pages.map((page, i) => burst(page, { tab: 'abc'[i]!, count: 1000, lists: 7 })))
  for (const result of results) {
    expect(result.failed).toEqual([])
    expect(result.ok).toHaveLength(1000)
  }

  const log = await logOf(pages[0]!)
  const order = commandsOf(log)
  expect(order).toHaveLength(3000)
  expect(new Set(order)).toEqual(new Set(results.flatMap((r) => r.ok)))

  await converged(pages, log.at(-1)!.seq)
  const [a, b, c] = (await Promise.all(pages.map(stateOf))).map(readModels)
  expect(a!.order).toEqual(order)
  expect(b).toEqual(a)
  expect(c).toEqual(a)
  expect(await pages[1]!.evaluate(() => window.tabs.rebuild())).toEqual(a)
})

test('a page closed in the middle of a burst: its acknowledged commands are whole in the log, and leadership moves', async ({ context }) => {
  const name = uniqueName('closed')
  const closing = await openTab(context, { name })
  await expect.poll(async () => (await stateOf(closing)).isLeader).toBe(true)
  const others = [await openTab(context, { name }), await openTab(context, { name })]
  expect(await leaders(others)).toBe(0)

  const acknowledged = new Set<string>()
  let enough!: () => void
  const someAcknowledged = new Promise<void>((resolve) => (enough = resolve))
  await closing.exposeFunction('ack', (commandId: string) => {
    acknowledged.add(commandId)
    if (acknowledged.size >= 200) enough()
  })
  const count = 20_000
  const closingBurst = burst(closing, { tab: 'x', count, lists: 5, ack: true }).catch(() => undefined)
  const otherBurst = burst(others[0]!, { tab: 'o', count: 500, lists: 5 })
  await someAcknowledged
  await closing.close()
  await closingBurst
  // The page went away while it still had commands to run.
  expect(acknowledged.size).toBeLessThan(count)
  expect((await otherBurst).failed).toEqual([])

  await expect.poll(() => leaders(others)).toBe(1)
  const log = await logOf(others[0]!)
  const order = commandsOf(log)
  const logged = new Set(order)
  expect([...acknowledged].filter((commandId) => !logged.has(commandId))).toEqual([])
  await converged(others, log.at(-1)!.seq)
  const [b, c] = (await Promise.all(others.map(stateOf))).map(readModels)
  expect(b!.order).toEqual(order)
  expect(c).toEqual(b)
  expect(await others[1]!.evaluate(() => window.tabs.rebuild())).toEqual(b)
})

test('a newer page upgrades the schema while an older page is open: no event lost, the older page is told', async ({ context }) => {
  const name = uniqueName('upgrade')
  const older = await openTab(context, { name })
  const before = await burst(older, { tab: 'old', count: 300, lists: 4 })
  expect(before.failed).toEqual([])
  // The older page keeps dispatching while the newer one opens.
  const count = 20_000
  const during = burst(older, { tab: 'during', count, lists: 4 })
  const newer = await openTab(context, { name, schema: 'next' })
  const cut = await during
  expect(cut.ok.length).toBeLessThan(count)
  expect(new Set(cut.failed)).toEqual(new Set(['version-change']))
  expect((await stateOf(older)).errors).toContainEqual({ name: 'StorageError', code: 'version-change' })

  const layout = await newer.evaluate(() => window.tabs.layout())
  // The tab app's next build is this build's layout plus one step.
  expect(layout.version).toBe(schemaVersion + 1)
  expect(layout.stores).toContain('attachments')
  expect(layout.eventIndexes).toContain('type')

  const log = await logOf(newer)
  const order = commandsOf(log)
  expect(new Set(order)).toEqual(new Set([...before.ok, ...cut.ok]))
  await expect.poll(async () => (await stateOf(newer)).isLeader).toBe(true)
  const after = await burst(newer, { tab: 'new', count: 10, lists: 4 })
  expect(after.failed).toEqual([])
  const state = await stateOf(newer)
  expect(state.order).toEqual([...order, ...after.ok])
  expect(await newer.evaluate(() => window.tabs.rebuild())).toEqual(readModels(state))
})

// Headless Chromium keeps every page visible and ignores Page.setWebLifecycleState 'frozen' for
// visible pages, so a frozen or hibernated leader is played by pausing its JavaScript in the
// debugger: no timer, no message handler runs, the lock stays held. A hung one runs a long task.
for (const how of ['paused', 'hung'] as const) {
  test(`a ${how} leader does not stall the others: one of them takes over`, async ({ context }) => {
    const name = uniqueName(how)
    const leader = await openTab(context, { name })
    await expect.poll(async () => (await stateOf(leader)).isLeader).toBe(true)
    const others = [await openTab(context, { name }), await openTab(context, { name })]
    const cdp = await context.newCDPSession(leader)
    let hang: Promise<unknown> = Promise.resolve()
    if (how === 'paused') {
      await cdp.send('Debugger.enable')
      await cdp.send('Debugger.pause')
    } else {
      hang = leader.evaluate(() => {
        const end = Date.now() + 3000
        while (Date.now() < end);
      })
    }

    await expect.poll(() => leaders(others)).toBe(1)
    // The others keep working, and see each other's commits.
    const done = await burst(others[0]!, { tab: 'o', count: 100, lists: 3 })
    expect(done.failed).toEqual([])
    await converged(others, (await stateOf(others[0]!)).position)

    if (how === 'paused') await cdp.send('Debugger.resume')
    await hang
    // The old leader learns it lost the lock and follows; it catches up with what it missed.
    await expect.poll(async () => (await stateOf(leader)).isLeader).toBe(false)
    expect(await leaders(others)).toBe(1)
    await converged([leader, ...others], (await stateOf(others[0]!)).position)
  })
}

test('a page that missed the broadcasts catches up on focus and on its next commit', async ({ context }) => {
  const name = uniqueName('deaf')
  const speaker = await openTab(context, { name })
  const deaf = await openTab(context, { name, deaf: true })
  const first = await burst(speaker, { tab: 's1', count: 50, lists: 3 })
  expect(first.failed).toEqual([])
  // Nothing told the deaf page: it has read nothing since it opened.
  expect((await stateOf(deaf)).position).toBe(0)

  // Real focus: Playwright emulates focus for every page; without that, bringing a page to the
  // front blurs the others and focuses it.
  for (const page of [speaker, deaf]) await (await context.newCDPSession(page)).send('Emulation.setFocusEmulationEnabled', { enabled: false })
  await speaker.bringToFront()
  await deaf.bringToFront()
  const head = (await stateOf(speaker)).position
  await converged([deaf], head)
  expect(readModels(await stateOf(deaf))).toEqual(readModels(await stateOf(speaker)))

  const second = await burst(speaker, { tab: 's2', count: 20, lists: 3 })
  expect(second.failed).toEqual([])
  expect((await stateOf(deaf)).position).toBe(head)
  // Its own command lands after the speaker's; its receipt means the gap before it was applied.
  const own = await burst(deaf, { tab: 'd', count: 1, lists: 3 })
  const state = await stateOf(deaf)
  expect(state.order).toEqual([...first.ok, ...second.ok, ...own.ok])
  expect(await deaf.evaluate(() => window.tabs.rebuild())).toEqual(readModels(state))
})
