// Everything the runner can call in the page, by name (`window.chronicleBench[name](params)`).
import { chronicleBurst, chronicleOneByOne, rawBatched, rawOneByOne } from './steps/dispatch'
import { chronicleRender, rawRender } from './steps/render'
import { checkpointAtHead, chronicleColdStart, clearCheckpoints, compactOldest, fill, rawReadCheckpoints, rawReplay } from './steps/coldStart'
import { holdColdStore, holdRawEvents, holdWrittenStore, release } from './steps/memory'
import { chronicleTravel, chronicleUndo, historySupport, rawTravel, rawUndo } from './steps/history'
import { chronicleShape, rawRecords, rawShape, recordsDbName } from './steps/shapes'
import { chronicleShapeRender, rawShapeRender } from './steps/shapeRender'
import { dropDatabase } from './raw'
import { chronicleDbName } from './store'

export const steps = {
  rawOneByOne,
  chronicleOneByOne,
  rawBatched,
  chronicleBurst,
  rawRender,
  chronicleRender,
  fill,
  clearCheckpoints,
  checkpointAtHead,
  compactOldest,
  chronicleColdStart,
  rawReplay,
  rawReadCheckpoints,
  holdWrittenStore,
  holdColdStore,
  holdRawEvents,
  release,
  chronicleTravel,
  rawTravel,
  chronicleUndo,
  rawUndo,
  historySupport,
  chronicleShape,
  rawShape,
  rawRecords,
  chronicleShapeRender,
  rawShapeRender,
  /** Deletes a run's databases: the raw ones and the store's. */
  async dropDatabases({ db }: { readonly db: string }) {
    await Promise.all([dropDatabase(db), dropDatabase(recordsDbName(db)), dropDatabase(chronicleDbName(db))])
  },
}

/** The steps' names, their parameters and what they resolve with, for the runner's typed calls. */
export type Steps = typeof steps
export type StepName = keyof Steps

declare global {
  interface Window {
    chronicleBench?: Steps
  }
}
