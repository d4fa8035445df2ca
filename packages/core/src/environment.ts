/**
 * Whether the app was bundled for production: its bundler (Vite, webpack, Rollup with the usual
 * setup, esbuild with `--define`) replaced `process.env.NODE_ENV` with `"production"`. In a browser
 * without a bundler, `process` does not exist and this is false; in Node it reads the environment.
 */
export function isProductionBuild(): boolean {
  try {
    // @ts-ignore: `process` is declared only where Node's types are present; bundlers replace the whole expression.
    return process.env.NODE_ENV === 'production'
  } catch {
    return false
  }
}
