// The transition suites in real Chromium: React's scheduler on the browser's own tasks.
import { transitionSuites } from './transitionScenarios'

transitionSuites()
