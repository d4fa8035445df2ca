import { transitionSuites } from './transitionScenarios'

transitionSuites()
