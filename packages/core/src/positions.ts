/** Index of the first item with `seq > after` in a list sorted by `seq` (binary search). */
export function indexAfter(items: readonly { readonly seq: number }[], after: number): number {
  let lo = 0
  let hi = items.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (items[mid]!.seq <= after) lo = mid + 1
    else hi = mid
  }
  return lo
}
