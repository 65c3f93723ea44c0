// The keyboard shortcuts, shown with `?` and closed with Escape or a click outside.
import { useEffect, useRef } from 'react';

const SHORTCUTS: readonly [string, string][] = [
  ['?', 'show or hide this help'],
  ['Alt+S / Alt+P / Alt+R / Alt+X / Alt+Z', 'start, pause, resume, stop, reset the VM'],
  [',  .', 'one event back / forward in history'],
  ['[  ]', 'one instruction back / forward'],
  ['<  >', 'reverse-continue / continue to a breakpoint'],
  ['Escape', 'back to live'],
  ['click an event', 'travel to just after it'],
  ['click ● in the code', 'toggle a breakpoint'],
];

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => dialog.current?.focus(), []);
  return (
    <div className="overlay" onClick={onClose}>
      <div
        className="help"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        tabIndex={-1}
        ref={dialog}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape' || e.key === '?') {
            e.stopPropagation();
            e.preventDefault();
            onClose();
          }
        }}
      >
        <h2>Keyboard shortcuts</h2>
        <p className="muted">They work whenever the console or a text field does not have the focus.</p>
        <table>
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={keys}>
                <th>
                  <kbd>{keys}</kbd>
                </th>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
