/** Index of the first item with `seq > after` in a list sorted by `seq` (binary search). */
export function indexAfter(items: readonly { readonly seq: number }[], after: number): number {
  return indexAfterBy(items, after, (item) => item.seq)
}

/** Index of the first item whose position is above `after`, in a list sorted by position (binary search). */
export function indexAfterBy<T>(items: readonly T[], after: number, position: (item: T) => number): number {
  let lo = 0
  let hi = items.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (position(items[mid]!) <= after) lo = mid + 1
    else hi = mid
  }
  return lo
}
