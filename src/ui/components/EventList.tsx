// The selected VM's events as a virtualized list that follows the head while scrolled to the bottom.
import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { AnyStoredEvent } from '../../domain/index.ts';
import { FAMILY_COLOR, familyOf, summarize } from '../eventSummary.ts';

const ROW_HEIGHT = 24;

export function EventList({ events }: { events: readonly AnyStoredEvent[] }) {
  const parent = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const virtualizer = useVirtualizer({
    count: events.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  useEffect(() => {
    if (atBottom.current && events.length > 0) virtualizer.scrollToIndex(events.length - 1, { align: 'end' });
  }, [events.length, virtualizer]);

  return (
    <div
      className="event-list"
      ref={parent}
      role="list"
      aria-label="Events"
      tabIndex={0}
      data-count={events.length}
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2;
      }}
    >
      {events.length === 0 && <p className="muted empty">No events yet.</p>}
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => {
          const e = events[row.index];
          return (
            <div
              key={e.seq}
              role="listitem"
              className="event-row"
              data-type={e.type}
              data-seq={e.seq}
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
  );
}
