// Every scenario, in the order.
import { bundleSize } from './bundle'
import { coldStart } from './coldStart'
import { timeTravel, undo } from './history'
import { memory } from './memory'
import { dispatchToRender } from './render'
import type { Scenario } from './scenario'
import { burst, oneByOne } from './writes'

export const scenarios: readonly Scenario[] = [oneByOne, burst, dispatchToRender, coldStart, timeTravel, undo, memory, bundleSize] as readonly Scenario[]
