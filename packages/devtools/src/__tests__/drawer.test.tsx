import { describe, expect, it } from 'vitest'
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { guardConsole } from '../../../react/src/__tests__/harness'
import { ChronicleDevtools } from '../index'
import { parseBundle, type ReproBundle } from '../bundle'
import { addCards, boardView, moveCard, openStore } from './fixtures'

// Fails a test on any console.error or console.warn (act warnings, updates after unmount...).
guardConsole()

const shownRows = () => within(screen.getByRole('listbox', { name: 'Events' })).queryAllByRole('option').map((o) => Number(o.dataset.seq))

/**
 * jsdom has no URL.createObjectURL and does not download: this stands in for the browser's part,
 * keeping the Blob the panel made and the file name its link asked for.
 */
function captureDownloads() {
  const files: { name: string; blob: Blob }[] = []
  const blobs = new Map<string, Blob>()
  const url = URL as unknown as { createObjectURL?: (blob: Blob) => string; revokeObjectURL?: (url: string) => void }
  url.createObjectURL = (blob) => {
    const id = `blob:test/${blobs.size}`
    blobs.set(id, blob)
    return id
  }
  url.revokeObjectURL = () => undefined
  const onClick = (event: MouseEvent) => {
    const link = event.target
    if (!(link instanceof HTMLAnchorElement) || !link.download) return
    event.preventDefault()
    files.push({ name: link.download, blob: blobs.get(link.href)! })
  }
  document.addEventListener('click', onClick, true)
  return {
    files,
    stop: () => {
      document.removeEventListener('click', onClick, true)
      delete url.createObjectURL
      delete url.revokeObjectURL
    },
  }
}

describe('the devtools drawer', () => {
  it('opens, resizes with the keyboard, and closes back to the button', async () => {
    const store = openStore()
    render(<ChronicleDevtools store={store} position="bottom-left" />)
    const button = await screen.findByRole('button', { name: 'Open Chronicle devtools' })
    expect(button.className).toContain('chr-dt-bottom-left')
    fireEvent.click(button)
    const drawer = await screen.findByRole('region', { name: 'Chronicle devtools' })
    const handle = screen.getByRole('separator', { name: 'Resize Chronicle devtools' })
    const before = Number(handle.getAttribute('aria-valuenow'))
    fireEvent.keyDown(handle, { key: 'ArrowUp' })
    expect(Number(handle.getAttribute('aria-valuenow'))).toBe(before + 24)
    expect(drawer.style.height).toBe(`${before + 24}px`)
    fireEvent.keyDown(handle, { key: 'ArrowDown' })
    fireEvent.keyDown(handle, { key: 'ArrowDown' })
    expect(Number(handle.getAttribute('aria-valuenow'))).toBe(before - 24)
    fireEvent.click(screen.getByRole('button', { name: 'Close Chronicle devtools' }))
    expect(screen.queryByRole('region', { name: 'Chronicle devtools' })).toBeNull()
    expect(screen.getByRole('button', { name: 'Open Chronicle devtools' })).toBeTruthy()
  })

  it('opens and closes from the app when controlled, without a floating button of its own', async () => {
    const store = openStore()
    const changes: boolean[] = []
    const view = render(<ChronicleDevtools store={store} open={false} onOpenChange={(open) => changes.push(open)} />)
    expect(screen.queryByRole('button', { name: 'Open Chronicle devtools' })).toBeNull()
    view.rerender(<ChronicleDevtools store={store} open onOpenChange={(open) => changes.push(open)} />)
    await screen.findByRole('region', { name: 'Chronicle devtools' })
    // The drawer's own close asks the app, which decides.
    fireEvent.click(screen.getByRole('button', { name: 'Close Chronicle devtools' }))
    expect(changes).toEqual([false])
    expect(screen.getByRole('region', { name: 'Chronicle devtools' })).toBeTruthy()
    view.rerender(<ChronicleDevtools store={store} open={false} onOpenChange={(open) => changes.push(open)} />)
    expect(screen.queryByRole('region', { name: 'Chronicle devtools' })).toBeNull()
    expect(screen.queryByRole('button', { name: 'Open Chronicle devtools' })).toBeNull()
  })

  it('closing the panel brings a travelling store back to live', async () => {
    const store = openStore()
    await addCards(store, 3)
    render(<ChronicleDevtools store={store} initialIsOpen />)
    fireEvent.click(await screen.findByRole('button', { name: 'Step back' }))
    await waitFor(() => expect(store.travelling).toBe(2))
    fireEvent.click(screen.getByRole('button', { name: 'Close Chronicle devtools' }))
    await waitFor(() => expect(store.travelling).toBeNull())
  })

  it('starts the timeline and the slider at the horizon of a compacted log', async () => {
    const store = openStore()
    await addCards(store, 6)
    await store.compact({ before: 4 })
    render(<ChronicleDevtools store={store} initialIsOpen />)
    await waitFor(() => expect(shownRows()).toEqual([4, 5, 6]))
    const slider = screen.getByRole('slider', { name: 'Log position' })
    expect(slider.getAttribute('min')).toBe('3')
    fireEvent.change(slider, { target: { value: '3' } })
    await waitFor(() => expect(store.travelling).toBe(3))
    expect(store.read(boardView).count).toBe(3)
    expect(screen.getByRole('button', { name: 'Step back' })).toHaveProperty('disabled', true)
    // The first event after the horizon still has a state before it: the horizon's.
    fireEvent.click(document.querySelector('[data-seq="4"]')!)
    fireEvent.click(screen.getByRole('tab', { name: 'Read models' }))
    await waitFor(() => expect(screen.getByRole('region', { name: 'Read model boardView' }).textContent).toContain('count 3 → 4'))
  })

  it('exports the log up to the selected event and imports a bundle into a replay store', async () => {
    const downloads = captureDownloads()
    try {
      const store = openStore()
      await addCards(store, 4)
      await store.dispatch(moveCard({ boardId: 'b1', cardId: 'c1', to: 'doing' }))
      render(<ChronicleDevtools store={store} initialIsOpen />)
      await waitFor(() => expect(shownRows()).toEqual([1, 2, 3, 4, 5]))
      fireEvent.click(document.querySelector('[data-seq="3"]')!)
      fireEvent.click(screen.getByRole('button', { name: 'Export' }))
      await waitFor(() => expect(downloads.files).toHaveLength(1))
      expect(downloads.files[0]!.name).toBe('kanban-repro-3.json')
      const bundle: ReproBundle = parseBundle(await downloads.files[0]!.blob.text())
      expect(bundle.events.map((e) => e.seq)).toEqual([1, 2, 3])

      // Import the whole log instead, as a file chosen in the panel.
      const whole = JSON.stringify({ ...bundle, events: await store.log(), range: { after: 0, to: 5 } })
      const input = () => document.querySelector<HTMLInputElement>('input[type=file]')!
      fireEvent.change(input(), { target: { files: [new File([whole], 'repro.json', { type: 'application/json' })] } })
      const banner = await screen.findByRole('status', { name: 'Repro bundle replay' })
      expect(banner.textContent).toContain('Replaying bundle "kanban": 5 events')
      await waitFor(() => expect(shownRows()).toEqual([1, 2, 3, 4, 5]))
      // The panel now drives the replay store: travel there leaves the app's store alone.
      fireEvent.click(screen.getByRole('button', { name: 'Step back' }))
      await waitFor(() => expect(screen.getByRole('status', { name: 'Shown position' }).textContent).toBe('4 / 5'))
      expect(store.travelling).toBeNull()
      fireEvent.click(within(banner).getByRole('button', { name: 'Back to the app' }))
      expect(screen.queryByText(/Replaying bundle/)).toBeNull()
      expect(store.read(boardView).columns.doing).toEqual(['c1'])

      // A file that is not a bundle is refused with a message.
      fireEvent.change(input(), { target: { files: [new File(['{"format":"nope"}'], 'x.json')] } })
      expect((await screen.findByRole('alert')).textContent).toMatch(/ValidationError \(invalid-bundle\): Not a Chronicle repro bundle/)
    } finally {
      downloads.stop()
    }
  })
})
