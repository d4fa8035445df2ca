import { useId, useState, type FormEvent } from 'react'
import { setWipLimit, type BoardView } from '../../domain'
import { Modal } from '../Modal'
import { useAction } from '../useAction'

/** The settings of one column: its WIP limit. */
export function ColumnSettings({ board, columnId, onClose }: { board: BoardView; columnId: string; onClose: () => void }) {
  const column = board.columns[columnId]!
  const [limit, setLimit] = useState(column.wipLimit === null ? '' : String(column.wipLimit))
  const save = useAction(setWipLimit)
  const inputId = useId()
  const hintId = useId()

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const value = limit.trim() === '' ? null : Number(limit)
    if (await save.run({ boardId: board.id, columnId, limit: value })) onClose()
  }

  return (
    <Modal title={`Column “${column.name}”`} onClose={onClose} size="small">
      <form className="stack" onSubmit={submit}>
        <div className="field">
          <label htmlFor={inputId} className="field-label">
            WIP limit
          </label>
          <input
            id={inputId}
            className="input"
            type="number"
            min={1}
            max={99}
            inputMode="numeric"
            value={limit}
            disabled={column.done}
            aria-describedby={hintId}
            onChange={(e) => setLimit(e.target.value)}
          />
          <p id={hintId} className="field-hint">
            {column.done
              ? 'Done collects finished work, so it has no limit.'
              : 'At most this many cards may be in the column at once. Leave it empty for no limit.'}
          </p>
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={column.done || save.pending}>
            Save
          </button>
          <button type="button" className="button button-quiet" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  )
}
