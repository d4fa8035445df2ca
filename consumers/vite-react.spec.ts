// A Vite + React + TypeScript app that installs @chronicle/core and @chronicle/react from the
// packed tarballs: type-checks under `bundler` and `nodenext` resolution (src/types.ts holds
// lines marked to expect an error, which must stay errors), builds, and works in Chromium; on
// React 19 and again on React 18.3 (the oldest React the peer range accepts).
import { test } from '@playwright/test'
import { freePort, installApp, runOk, serve, type AppVariant } from './harness'
import { addTodosAndReload } from './todoPage'

/** React 18.3 with its types: the same app, the other end of `@chronicle/react`'s peer range. */
const react18: AppVariant = {
  as: 'vite-react-18',
  versions: { react: '~18.3.1', 'react-dom': '~18.3.1', '@types/react': '~18.3.0', '@types/react-dom': '~18.3.0' },
}

for (const [label, variant] of [['React 19', undefined], ['React 18.3', react18]] as const) {
  test.describe(label, () => {
    test.describe.configure({ mode: 'serial' })

    let app = ''
    test.beforeAll(async () => {
      test.setTimeout(180_000)
      app = await installApp('vite-react', 'src', variant)
    })

    test('type-checks under moduleResolution bundler (strict, exactOptionalPropertyTypes, skipLibCheck off)', async () => {
      await runOk('node_modules/.bin/tsc', ['-p', 'tsconfig.bundler.json'], { cwd: app })
    })

    test('type-checks under module/moduleResolution nodenext (skipLibCheck off)', async () => {
      await runOk('node_modules/.bin/tsc', ['-p', 'tsconfig.nodenext.json'], { cwd: app })
    })

    test('builds with vite, then adds, refuses and keeps to-dos across a reload in Chromium', async ({ page }) => {
      await runOk('node_modules/.bin/vite', ['build'], { cwd: app })
      const port = await freePort()
      const server = await serve('node_modules/.bin/vite', ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: app, url: `http://127.0.0.1:${port}/` })
      try {
        await addTodosAndReload(page, server.url)
      } finally {
        await server.stop()
      }
    })
  })
}
