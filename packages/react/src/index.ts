export { ChronicleProvider, useStore, type ChronicleProviderProps } from './context'
export { useProjection, useQuery, useCommand, useIsReady, type CommandActions, type CommandHandle, type CommandState } from './hooks'
export { useSyncStatus, useSyncRejections } from './sync'
export { shallow } from '@chronicle/core'
