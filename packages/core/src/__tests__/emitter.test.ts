import { describe, expect, it, vi } from 'vitest'
import { createEmitter, createValueCell } from '../emitter'

describe('createEmitter', () => {
  it('tells every listener and subscription, in order, until each stops', () => {
    const emitter = createEmitter<number>()
    const heard: string[] = []
    const stopA = emitter.listen((n) => heard.push(`a${n}`))
    const subscription = emitter.observable.subscribe((n) => heard.push(`o${n}`))
    expect(emitter.observed).toBe(true)
    emitter.emit(1)
    stopA()
    emitter.emit(2)
    subscription.unsubscribe()
    emitter.emit(3)
    expect(heard).toEqual(['a1', 'o1', 'o2'])
    expect(emitter.observed).toBe(false)
  })

  it('keeps one function registered twice as two registrations, and a listener added while emitting waits for the next value', () => {
    const emitter = createEmitter<number>()
    const heard: number[] = []
    const listener = (n: number) => heard.push(n)
    const stopFirst = emitter.listen(listener)
    emitter.listen(listener)
    emitter.listen(() => void emitter.listen((n) => heard.push(n * 10)))
    emitter.emit(1)
    stopFirst()
    emitter.emit(2)
    expect(heard).toEqual([1, 1, 2, 20])
  })

  it('skips a listener removed by an earlier one during the same emit', () => {
    const emitter = createEmitter<number>()
    const heard: string[] = []
    let stopB = () => {}
    emitter.listen(() => stopB())
    stopB = emitter.listen(() => heard.push('b'))
    emitter.emit(1)
    expect(heard).toEqual([])
  })

  it('reports a subscriber that throws on its own and still tells the others', () => {
    vi.useFakeTimers()
    try {
      const emitter = createEmitter<number>()
      const heard: number[] = []
      emitter.observable.subscribe(() => {
        throw new Error('subscriber broke')
      })
      emitter.observable.subscribe((n) => heard.push(n))
      emitter.emit(1)
      expect(heard).toEqual([1])
      // RxJS reports an error thrown by a subscriber asynchronously, as an uncaught error.
      expect(() => vi.runAllTimers()).toThrow('subscriber broke')
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('createValueCell', () => {
  it('gives a new subscriber the current value, then only changes', () => {
    const cell = createValueCell(0)
    const heard: number[] = []
    cell.set(1)
    const subscription = cell.observable.subscribe((n) => heard.push(n))
    cell.set(1)
    cell.set(2)
    cell.set(2)
    cell.set(Number.NaN)
    cell.set(Number.NaN)
    subscription.unsubscribe()
    cell.set(3)
    expect(heard).toEqual([1, 2, Number.NaN])
    expect(cell.value).toBe(3)
  })

  it('completes every subscription, ignores later values, and gives later subscribers the last value then completion', () => {
    const cell = createValueCell(true)
    const events: string[] = []
    cell.observable.subscribe({ next: (v) => events.push(`a:${v}`), complete: () => events.push('a:done') })
    cell.set(false)
    cell.complete()
    cell.set(true)
    cell.observable.subscribe({ next: (v) => events.push(`b:${v}`), complete: () => events.push('b:done') })
    expect(events).toEqual(['a:true', 'a:false', 'a:done', 'b:false', 'b:done'])
    expect(cell.value).toBe(false)
  })
})
