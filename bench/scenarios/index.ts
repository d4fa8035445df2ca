// Every scenario, in the order.
import { bundleSize } from './bundle'
import { coldStart } from './coldStart'
import { timeTravel, undo } from './history'
import { memory } from './memory'
import { dispatchToRender } from './render'
import type { Scenario } from './scenario'
import { coldStreams, newStreams, shapeRender, sharedStream, workingSet } from './shapes'
import { burst, oneByOne } from './writes'

export const scenarios: readonly Scenario[] = [oneByOne, burst, dispatchToRender, coldStart, timeTravel, undo, memory, bundleSize, sharedStream, newStreams, coldStreams, workingSet, shapeRender] as readonly Scenario[]
