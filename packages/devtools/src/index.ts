'use client'

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
  readBundle,
  type BundleRange,
  type OpenBundleOptions,
  type ReadBundleOptions,
  type ReproBundle,
} from './bundle'
export type { BundleProgress, BundleWorkOptions } from './bundleCheck'
export { diffStates, formatPath, type Change, type DiffLimits, type PathSegment, type StateDiff } from './diff'
