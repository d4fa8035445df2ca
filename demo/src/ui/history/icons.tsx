// The history controls' icons (decorative: every button that shows one has a text label).

const common = { viewBox: '0 0 20 20', width: 18, height: 18, 'aria-hidden': true, fill: 'none', stroke: 'currentColor', strokeWidth: 1.8, strokeLinecap: 'round', strokeLinejoin: 'round' } as const

/** An arrow curving back. */
export function UndoIcon() {
  return (
    <svg {...common}>
      <path d="M7.5 5.5L4 9l3.5 3.5" />
      <path d="M4.5 9h7a4.5 4.5 0 0 1 0 9H9" />
    </svg>
  )
}

/** An arrow curving forward. */
export function RedoIcon() {
  return (
    <svg {...common}>
      <path d="M12.5 5.5L16 9l-3.5 3.5" />
      <path d="M15.5 9h-7a4.5 4.5 0 0 0 0 9H11" />
    </svg>
  )
}

/** A clock with an arrow around it: the history. */
export function HistoryIcon() {
  return (
    <svg {...common}>
      <path d="M3.5 10a6.5 6.5 0 1 0 2-4.7" />
      <path d="M3 3.5v3.5h3.5" />
      <path d="M10 6.5V10l2.5 1.8" />
    </svg>
  )
}
