import { describe, expectTypeOf, it } from 'vitest'
import type { EventEnvelope, Store } from '@chronicle/core'
import {
  ChronicleDevtools,
  connectReduxDevtools,
  defaultEventStatus,
  diffStates,
  exportBundle,
  openBundle,
  type ChronicleDevtoolsProps,
  type EventStatus,
  type EventStatusFunction,
  type ReproBundle,
} from '../index'

declare const store: Store

describe('public types of @chronicle/devtools', () => {
  it('takes the store from props or the provider, and a status function', () => {
    expectTypeOf<ChronicleDevtoolsProps['store']>().toEqualTypeOf<Store | undefined>()
    expectTypeOf(ChronicleDevtools).toBeCallableWith({})
    expectTypeOf(ChronicleDevtools).toBeCallableWith({ store, initialIsOpen: true, position: 'bottom-left', status: defaultEventStatus })
    expectTypeOf(ChronicleDevtools).toBeCallableWith({ open: true, onOpenChange: (open: boolean) => void open })
    expectTypeOf<EventStatus>().toEqualTypeOf<'pending' | 'confirmed' | 'undone'>()
    const pendingFirst: EventStatusFunction = (event, s) => (event.meta.origin === 'server' ? 'pending' : defaultEventStatus(event, s))
    expectTypeOf(pendingFirst).returns.toEqualTypeOf<EventStatus>()
    // @ts-expect-error a status is one of three words
    const wrong: EventStatusFunction = () => 'lost'
    void wrong
    // @ts-expect-error the button sits at the bottom
    void ChronicleDevtools({ position: 'top-right' })
  })

  it('types bundles, the bridge and diffs', () => {
    expectTypeOf(exportBundle(store)).resolves.toEqualTypeOf<ReproBundle>()
    expectTypeOf<ReproBundle['events']>().toEqualTypeOf<readonly EventEnvelope[]>()
    expectTypeOf(openBundle).parameter(1).toHaveProperty('projections')
    expectTypeOf(openBundle({} as ReproBundle, { projections: store.projections })).resolves.toEqualTypeOf<Store>()
    expectTypeOf(connectReduxDevtools(store)).toEqualTypeOf<() => void>()
    expectTypeOf(diffStates({}, {}).changes[0]!.kind).toEqualTypeOf<'added' | 'removed' | 'changed'>()
  })
})
