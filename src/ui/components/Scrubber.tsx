// The scrubber: a slider over the stream, ±1 event, ±1 instruction, and back to live.
import { useEffect, useState } from 'react';
import { useApp } from '../AppContext.tsx';

export function Scrubber() {
  const head = useApp((s) => s.current?.version ?? 0);
  const past = useApp((s) => s.past);
  const seeking = useApp((s) => s.seeking);
  const seek = useApp((s) => s.seek);
  const stepEvent = useApp((s) => s.stepEvent);
  const stepInstruction = useApp((s) => s.stepInstruction);
  const backToLive = useApp((s) => s.backToLive);
  const continueTo = useApp((s) => s.continueTo);
  const hasBreakpoints = useApp((s) => s.breakpoints.size > 0 || s.watches.size > 0);
  const position = past?.seq ?? head;
  const [dragging, setDragging] = useState<number | null>(null);

  useEffect(() => setDragging(null), [past]);
  if (head === 0) return null;

  return (
    <div className="scrubber" role="group" aria-label="Time travel">
      <button type="button" onClick={() => void continueTo('backward')} disabled={!hasBreakpoints} title="Reverse-continue to the previous breakpoint hit (Shift+,)" aria-keyshortcuts="Shift+<">
        ◀◀ reverse
      </button>
      <button type="button" onClick={() => void stepEvent(-1)} disabled={position <= 1} title="One event back (,)" aria-keyshortcuts=",">
        ◀ event
      </button>
      <button type="button" onClick={() => void stepInstruction(-1)} title="One instruction back ([)" aria-keyshortcuts="[">
        ◀ instr
      </button>
      <input
        type="range"
        aria-label="Sequence number"
        min={1}
        max={head}
        value={dragging ?? position}
        onChange={(e) => {
          const seq = Number(e.target.value);
          setDragging(seq);
          void seek({ seq });
        }}
      />
      <button type="button" onClick={() => void stepInstruction(1)} disabled={!past} title="One instruction forward (])" aria-keyshortcuts="]">
        instr ▶
      </button>
      <button type="button" onClick={() => void stepEvent(1)} disabled={!past || position >= head} title="One event forward (.)" aria-keyshortcuts=".">
        event ▶
      </button>
      <button type="button" onClick={() => void continueTo('forward')} disabled={!hasBreakpoints} title="Continue to the next breakpoint hit (Shift+.)" aria-keyshortcuts="Shift+>">
        continue ▶▶
      </button>
      <span className="where" data-testid="scrub-position">
        {past ? `seq ${past.seq} / ${head} · icount ${past.icount.toLocaleString('en')}` : `live · seq ${head}`}
        {seeking ? ' …' : ''}
      </span>
      <button type="button" className="live" onClick={backToLive} disabled={!past} title="Back to live (Escape)" aria-keyshortcuts="Escape">
        Back to live
      </button>
    </div>
  );
}

/** Keyboard shortcuts for travelling, ignored while typing into the console or a field. */
export function travelShortcut(
  event: KeyboardEvent,
): ((s: { stepEvent(d: number): unknown; stepInstruction(d: number): unknown; backToLive(): void; continueTo(d: 'forward' | 'backward'): unknown }) => void) | null {
  const target = event.target as HTMLElement | null;
  if (target?.closest('.console, input, textarea') || event.altKey || event.ctrlKey || event.metaKey) return null;
  switch (event.key) {
    case '<':
      return (s) => void s.continueTo('backward');
    case '>':
      return (s) => void s.continueTo('forward');
    case ',':
      return (s) => void s.stepEvent(-1);
    case '.':
      return (s) => void s.stepEvent(1);
    case '[':
      return (s) => void s.stepInstruction(-1);
    case ']':
      return (s) => void s.stepInstruction(1);
    case 'Escape':
      return (s) => s.backToLive();
    default:
      return null;
  }
}
