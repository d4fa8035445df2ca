/** The button that opens a card, by card id (the card's keyboard handle). */
export function cardHandle(cardId: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[data-card-id="${CSS.escape(cardId)}"] .card-open`)
}

/** Focuses a card once React has rendered it (a moved card is a new element in another column). */
export function focusCard(cardId: string): void {
  let frames = 0
  const attempt = () => {
    const handle = cardHandle(cardId)
    if (handle) handle.focus()
    else if (++frames < 10) requestAnimationFrame(attempt)
  }
  requestAnimationFrame(attempt)
}
