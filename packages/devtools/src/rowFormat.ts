/** Row height in pixels: fixed, so the list can place any row without measuring. */
export const rowHeight = 22

/** A time of day with milliseconds. */
export const time = (at: number) => {
  const d = new Date(at)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

/** A long id as its first and last four characters (the whole id is in a tooltip or the inspector). */
export const short = (id: string) => (id.length > 10 ? `${id.slice(0, 4)}…${id.slice(-4)}` : id)
