// The Kanban domain of the demo, in one module: the browser store and (later) the sync server load
// the same `commands`, `projections` and `reactions`.
import { activity } from './activity'
import { createBoard, setWipLimit } from './boardCommands'
import { boardView } from './boardView'
import { addCard, archiveCard, assignCard, editCard, moveCard, restoreCard } from './cardCommands'
import { cycleTime, recordCompletion } from './cycleTime'
import { dashboard } from './dashboard'
import { addChecklistItem, commentOnCard, toggleChecklistItem } from './detailCommands'

export { people, personName, isPersonId, type Person, type PersonId } from './people'
export {
  BoardCreated,
  WipLimitSet,
  CardAdded,
  CardEdited,
  CardMoved,
  CardArchived,
  CardRestored,
  CardAssigned,
  CommentAdded,
  ChecklistItemAdded,
  ChecklistItemToggled,
  CardCompleted,
  boardEvents,
} from './events'
export { board, type BoardState, type CardState, type ColumnState } from './board'
export { boardStream } from './boardCommand'
export { createBoard, setWipLimit } from './boardCommands'
export { addCard, editCard, moveCard, archiveCard, restoreCard, assignCard, titleSchema } from './cardCommands'
export { commentOnCard, addChecklistItem, toggleChecklistItem } from './detailCommands'
export { recordCompletion, cycleTime } from './cycleTime'
export { boardView, boardById, cardById, type BoardView, type BoardViewState, type CardView, type ColumnView, type CommentView, type ChecklistItemView } from './boardView'
export { activity, recentActivity, cardActivity, type ActivityEntry, type ActivityAction, type ActivityState } from './activity'
export { dashboard, boardStats, unassigned, type BoardStats, type ColumnStats, type Completion, type DashboardState } from './dashboard'
export { demoBoardId, seedSteps, seedDemoBoard, type SeedStep } from './seed'

/** Every command of the domain, for `createStore({ commands })` and the sync server. */
export const commands = [
  createBoard,
  setWipLimit,
  addCard,
  editCard,
  moveCard,
  archiveCard,
  restoreCard,
  assignCard,
  commentOnCard,
  addChecklistItem,
  toggleChecklistItem,
  recordCompletion,
] as const

/** Every read model of the domain. */
export const projections = [boardView, activity, dashboard] as const

/** Every reaction of the domain. */
export const reactions = [cycleTime] as const
