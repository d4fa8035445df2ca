/** Deterministic pseudo-random log positions in 1..n (xorshift32), so runs and sides jump alike. */
export function positions(n: number, count: number, seed: number): number[] {
  let x = seed >>> 0 || 1
  return Array.from({ length: count }, () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return ((x >>> 0) % n) + 1
  })
}
