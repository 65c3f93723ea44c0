// The timeline: every event of the selected VM, virtualized, with family filters; a click travels there.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { EVENT_TYPES, FAMILIES, type AnyStoredEvent, type EventType, type Family } from '../../domain/index.ts';
import { useApp } from '../AppContext.tsx';
import { FAMILY_COLOR, familyOf, summarize } from '../eventSummary.ts';

const ROW_HEIGHT = 24;

export function EventList({ events }: { events: readonly AnyStoredEvent[] }) {
  const parent = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const seek = useApp((s) => s.seek);
  const pastSeq = useApp((s) => s.past?.seq ?? null);
  const [hidden, setHidden] = useState<ReadonlySet<Family>>(new Set());
  const [jumpType, setJumpType] = useState<EventType>('InputReceived');

  const shown = useMemo(() => (hidden.size === 0 ? events : events.filter((e) => !hidden.has(familyOf(e)))), [events, hidden]);
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  useEffect(() => {
    if (atBottom.current && pastSeq === null && shown.length > 0) virtualizer.scrollToIndex(shown.length - 1, { align: 'end' });
  }, [shown.length, virtualizer, pastSeq]);

  useEffect(() => {
    if (pastSeq === null) return;
    const index = shown.findIndex((e) => e.seq >= pastSeq);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [pastSeq, shown, virtualizer]);

  const jump = (direction: 1 | -1) => {
    const from = pastSeq ?? events.length + 1;
    const found =
      direction > 0
        ? events.find((e) => e.seq > from && e.type === jumpType)
        : [...events].reverse().find((e) => e.seq < from && e.type === jumpType);
    if (found) void seek({ seq: found.seq });
  };

  return (
    <div className="timeline">
      <div className="timeline-bar" role="group" aria-label="Timeline filters">
        {FAMILIES.map((family) => (
          <label key={family} className="family-filter" style={{ color: FAMILY_COLOR[family] }}>
            <input
              type="checkbox"
              checked={!hidden.has(family)}
              onChange={(e) => {
                const next = new Set(hidden);
                if (e.target.checked) next.delete(family);
                else next.add(family);
                setHidden(next);
              }}
            />
            {family}
          </label>
        ))}
        <span className="jump">
          <button type="button" onClick={() => jump(-1)} aria-label={`Previous ${jumpType}`} title="Previous event of this type">
            ◀
          </button>
          <select aria-label="Event type to jump to" value={jumpType} onChange={(e) => setJumpType(e.target.value as EventType)}>
            {EVENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => jump(1)} aria-label={`Next ${jumpType}`} title="Next event of this type">
            ▶
          </button>
        </span>
      </div>
      <div
        className="event-list"
        ref={parent}
        role="list"
        aria-label="Events"
        tabIndex={0}
        data-count={events.length}
        data-shown={shown.length}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2;
        }}
      >
        {events.length === 0 && <p className="muted empty">No events yet.</p>}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((row) => {
            const e = shown[row.index];
            return (
              <div
                key={e.seq}
                role="listitem"
                className={e.seq === pastSeq ? 'event-row selected' : 'event-row'}
                data-type={e.type}
                data-seq={e.seq}
                title="Travel to just after this event"
                onClick={() => void seek({ seq: e.seq })}
                style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
              >
                <span className="seq">{e.seq}</span>
                <span className="type" style={{ color: FAMILY_COLOR[familyOf(e)] }}>
                  {e.type}
                </span>
                <span className="icount" title="instructions retired">
                  {e.icount.toLocaleString('en')}
                </span>
                <span className="summary">{summarize(e)}</span>
                <time className="at" dateTime={new Date(e.at).toISOString()}>
                  {new Date(e.at).toLocaleTimeString()}
                </time>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
