/** The panel's stylesheet: every class starts with `chr-dt-`, so it leaves the app's styles alone. */
export const styles = `
.chr-dt, .chr-dt * { box-sizing: border-box; }
.chr-dt { font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #d7dae0; }
.chr-dt button, .chr-dt input, .chr-dt select, .chr-dt-button { font: inherit; color: inherit; background: #2a2f3a; border: 1px solid #3b4252; border-radius: 4px; padding: 2px 8px; cursor: pointer; }
.chr-dt button:disabled { opacity: .45; cursor: default; }
.chr-dt input[type=search] { cursor: text; width: 14em; }
.chr-dt-toggle { position: fixed; bottom: 12px; z-index: 2147483000; padding: 6px 12px !important; border-radius: 18px !important; background: #1b1f27 !important; box-shadow: 0 2px 10px rgba(0,0,0,.35); }
.chr-dt-bottom-right { right: 12px; }
.chr-dt-bottom-left { left: 12px; }
.chr-dt-drawer { position: fixed; left: 0; right: 0; bottom: 0; z-index: 2147483000; display: flex; flex-direction: column; background: #16191f; border-top: 1px solid #3b4252; box-shadow: 0 -4px 18px rgba(0,0,0,.35); }
.chr-dt-resize { height: 6px; margin-top: -3px; cursor: ns-resize; flex: none; }
.chr-dt-resize:hover, .chr-dt-resize:focus { background: #5e81ac; outline: none; }
.chr-dt-panel { display: flex; flex-direction: column; flex: 1; min-height: 0; }
.chr-dt-toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 14px; padding: 6px 10px; border-bottom: 1px solid #2e3440; }
.chr-dt-toolbar [role=group] { display: flex; align-items: center; gap: 4px; }
.chr-dt-title { color: #88c0d0; }
.chr-dt-close { margin-left: auto; }
.chr-dt-file { display: none; }
.chr-dt-progress { display: inline-flex; gap: 4px; align-items: center; }
.chr-dt-banner, .chr-dt-alert { padding: 4px 10px; background: #3b3522; border-bottom: 1px solid #5c5030; }
.chr-dt-alert { background: #42262a; border-color: #6b3138; }
.chr-dt-main { display: flex; flex: 1; min-height: 0; }
.chr-dt-timeline { display: flex; flex-direction: column; flex: 3; min-width: 0; border-right: 1px solid #2e3440; }
.chr-dt-viewport { flex: 1; overflow-y: auto; overflow-x: hidden; outline: none; position: relative; }
.chr-dt-viewport:focus-visible { box-shadow: inset 0 0 0 1px #5e81ac; }
.chr-dt-row { display: grid; grid-template-columns: 6em 8.5em minmax(8em, 1.2fr) minmax(8em, 1fr) 6.5em 6.5em 6.5em; gap: 8px; align-items: center; padding: 0 10px; white-space: nowrap; cursor: pointer; }
.chr-dt-row > span { overflow: hidden; text-overflow: ellipsis; }
.chr-dt-head { color: #81899b; cursor: default; height: 22px; border-bottom: 1px solid #2e3440; }
.chr-dt-row[role=option]:hover { background: #1f2530; }
.chr-dt-command-start { box-shadow: inset 0 1px 0 #2a303b; }
.chr-dt-selected, .chr-dt-selected:hover { background: #2d3c55 !important; }
.chr-dt-future { opacity: .4; }
.chr-dt-undone > span:nth-child(3) { text-decoration: line-through; }
.chr-dt-undone .chr-dt-status { color: #d08770; }
.chr-dt-pending .chr-dt-status { color: #ebcb8b; }
.chr-dt-pending-list { border-top: 1px solid #3b4252; flex: none; }
.chr-dt-pending-title { padding: 4px 10px; color: #ebcb8b; font-weight: 600; }
.chr-dt-pending-rows { overflow-y: auto; }
.chr-dt-pending-rows .chr-dt-row { cursor: default; }
.chr-dt-confirmed .chr-dt-status { color: #a3be8c; }
.chr-dt-inspector { flex: 2; display: flex; flex-direction: column; min-width: 0; }
.chr-dt-tabs { display: flex; gap: 2px; padding: 4px 8px 0; border-bottom: 1px solid #2e3440; }
.chr-dt-tabs [role=tab] { border-radius: 4px 4px 0 0; border-bottom: none; }
.chr-dt-tabs [aria-selected=true] { background: #3b4252; color: #eceff4; }
.chr-dt-tabpanel { flex: 1; overflow: auto; padding: 8px 10px; }
.chr-dt-hint, .chr-dt-dim { color: #81899b; }
.chr-dt-fields { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 8px; }
.chr-dt-fields > div { display: contents; }
.chr-dt-fields dt { color: #81899b; }
.chr-dt-fields dd { margin: 0; word-break: break-all; }
.chr-dt-tree { margin-top: 6px; }
.chr-dt-tree-toggle, .chr-dt-more, .chr-dt-link { display: block; width: 100%; text-align: left; background: none !important; border: none !important; padding: 0 !important; }
.chr-dt-more { color: #88c0d0; }
.chr-dt-link { color: #88c0d0; }
.chr-dt-key { color: #b48ead; }
.chr-dt-string { color: #a3be8c; word-break: break-all; }
.chr-dt-number, .chr-dt-bigint { color: #d08770; }
.chr-dt-boolean, .chr-dt-null, .chr-dt-undefined { color: #81a1c1; }
.chr-dt-summary { color: #81899b; }
.chr-dt-model { margin-bottom: 12px; }
.chr-dt-model h3 { margin: 4px 0; font-size: 13px; color: #88c0d0; }
.chr-dt-diff ul, .chr-dt-causation ul { margin: 2px 0 6px; padding-left: 16px; }
.chr-dt-diff p { margin: 2px 0; }
.chr-dt-added { color: #a3be8c; }
.chr-dt-removed { color: #bf616a; }
.chr-dt-changed { color: #ebcb8b; }
.chr-dt-path { color: #d7dae0; }
.chr-dt-chain-current { background: #2d3c55; }
.chr-dt-travel input[type=range] { width: 14em; padding: 0; }
.chr-dt-position { min-width: 9em; color: #81899b; }
`
