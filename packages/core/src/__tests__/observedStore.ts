// Test helpers for code that observes a store's read models (ProjectionObserver, the React hooks).
import { defineProjection, type Store } from '../index'
import { CardAdded } from './fixtures'

/** A read model that fails on a card titled "boom". */
export const fragile = defineProjection({
  name: 'fragile',
  version: 1,
  events: [CardAdded],
  initial: { titles: [] as string[] },
  on: {
    CardAdded: (draft, e) => {
      if (e.title === 'boom') throw new Error('cannot show boom')
      draft.titles.push(e.title)
    },
  },
})

/**
 * `inner` seen through a store whose read-model observables count their subscriptions: `active`
 * is how many are live now, `opened` how many were ever taken.
 */
export function countingSubscriptions(inner: Store) {
  const counts = { active: 0, opened: 0 }
  const store: Store = Object.create(inner, {
    query: {
      value: (...args: Parameters<Store['query']>) => {
        const source = (inner.query as (...a: unknown[]) => ReturnType<Store['query']>)(...args)
        return {
          subscribe(observer: Parameters<typeof source.subscribe>[0]) {
            counts.active++
            counts.opened++
            const subscription = source.subscribe(observer)
            return {
              unsubscribe() {
                counts.active--
                subscription.unsubscribe()
              },
            }
          },
        }
      },
    },
  })
  return { store, counts }
}
