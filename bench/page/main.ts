import { steps } from './steps'

window.chronicleBench = steps
document.title = 'Chronicle bench: ready'
