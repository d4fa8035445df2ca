import { useProjection } from '@chronicle/react'
import { activity } from '../../domain'
import { formatDateTime } from '../format'
import { useTravel } from './useTravel'

/** Says, above every page, that the app shows the past and is read-only, with the way back. */
export function TravelBanner() {
  const { travelling, head, go } = useTravel()
  const at = useProjection(activity, (s) => s.entries.at(-1)?.at)
  return (
    <div role="status" className="travel-banner-region">
      {travelling !== null && (
        <div className="travel-banner">
          <p>
            <strong>Viewing the past:</strong> the board as it was {at === undefined ? 'before its first change' : `on ${formatDateTime(at)}`} (event {travelling} of {head}). Read-only until you go back to live.
          </p>
          <button type="button" className="button button-primary" onClick={() => go(null)}>
            Back to live
          </button>
        </div>
      )}
    </div>
  )
}
