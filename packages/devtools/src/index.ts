export { ChronicleDevtools, type ChronicleDevtoolsProps } from './ChronicleDevtools'
export { defaultEventStatus, type EventStatus, type EventStatusFunction } from './status'
export {
  connectReduxDevtools,
  type CommandAction,
  type ReduxDevtoolsConnection,
  type ReduxDevtoolsExtension,
  type ReduxDevtoolsMessage,
  type ReduxDevtoolsOptions,
} from './reduxDevtools'
export {
  bundleFormat,
  exportBundle,
  importBundle,
  openBundle,
  parseBundle,
  projectionMismatches,
  type BundleRange,
  type OpenBundleOptions,
  type ReproBundle,
} from './bundle'
export { diffStates, formatPath, type Change, type DiffLimits, type PathSegment, type StateDiff } from './diff'
