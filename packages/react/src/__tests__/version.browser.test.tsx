import { version } from 'react'
import { version as domVersion } from 'react-dom'
import { expect, it } from 'vitest'

// Which React the browser projects run: browser on 19, browser-react18 on 18.3 (one copy each).
it('runs on the React its project names', ({ task }) => {
  expect(version.split('.')[0]).toBe((task.file.projectName ?? '').startsWith('browser-react18') ? '18' : '19')
  expect(domVersion).toBe(version)
})
