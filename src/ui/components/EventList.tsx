// The timeline: every event of the selected VM, virtualized, with family filters, a density strip and the selected event's details.
import { useEffect, useMemo, useRef, useState } from 'react';
import { EVENT_TYPES, FAMILIES, type EventType, type Family } from '../../domain/index.ts';
import { useApp } from '../AppContext.tsx';
import { FAMILY_COLOR, summarize } from '../eventSummary.ts';
import { CODE_OF_TYPE, type StreamIndex } from '../streamIndex.ts';
import { DensityStrip } from './DensityStrip.tsx';
import { EventDetails } from './EventDetails.tsx';
import { useFixedRows } from './useFixedRows.ts';

const ROW_HEIGHT = 24;

/** Seqs shown under the family filters, extended as the stream grows instead of recomputed. */
interface Visible {
  readonly stream: StreamIndex;
  readonly hidden: ReadonlySet<Family>;
  seqs: Int32Array;
  count: number;
  scanned: number;
}

/** Per filter setting (a new Set on every change), the seqs found so far. */
const visibleCache = new WeakMap<ReadonlySet<Family>, Visible>();

function visibleOf(stream: StreamIndex, hidden: ReadonlySet<Family>): Visible | null {
  if (hidden.size === 0) return null;
  let v = visibleCache.get(hidden);
  if (!v || v.stream !== stream) {
    const { seqs, count } = stream.visibleSeqs(hidden);
    v = { stream, hidden, seqs, count, scanned: stream.head };
    visibleCache.set(hidden, v);
  } else if (v.scanned < stream.head) {
    const { seqs, count } = stream.visibleSeqs(hidden, v.scanned + 1, v.seqs, v.count);
    v.seqs = seqs;
    v.count = count;
    v.scanned = stream.head;
  }
  return v;
}

export function EventList() {
  const stream = useApp((s) => s.stream);
  if (!stream) return null;
  return <Timeline stream={stream} />;
}

function Timeline({ stream }: { stream: StreamIndex }) {
  const parent = useRef<HTMLDivElement>(null);
  const seek = useApp((s) => s.seek);
  const pastSeq = useApp((s) => s.past?.seq ?? null);
  useApp((s) => s.streamVersion);
  const [hidden, setHidden] = useState<ReadonlySet<Family>>(new Set());
  const [jumpType, setJumpType] = useState<EventType>('InputReceived');
  const head = stream.head;
  const visible = visibleOf(stream, hidden);
  const count = visible ? visible.count : head;
  const seqAt = (index: number) => (visible ? visible.seqs[index] : index + 1);
  /** Index of the first shown row at or after `seq`. */
  const indexOf = (seq: number): number => {
    if (!visible) return Math.min(head, Math.max(1, seq)) - 1;
    let lo = 0;
    let hi = visible.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (visible.seqs[mid] < seq) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(lo, visible.count - 1);
  };

  // At the head and scrolled to the end, the list follows the stream as it grows.
  const { rows: items, totalHeight, scrollToIndex } = useFixedRows(parent, count, ROW_HEIGHT, 12, pastSeq === null);

  // Only a new viewed point (or filter) brings its row into view; stream growth alone does not.
  const latest = useRef({ indexOf, scrollToIndex });
  useEffect(() => {
    latest.current = { indexOf, scrollToIndex };
  });
  useEffect(() => {
    if (pastSeq === null) return;
    const index = latest.current.indexOf(pastSeq);
    if (index >= 0) latest.current.scrollToIndex(index, 'auto');
  }, [pastSeq, hidden]);

  const first = items[0]?.index;
  const last = items[items.length - 1]?.index;
  useEffect(() => {
    if (first === undefined || last === undefined) return;
    for (let i = first; i <= last; i++) {
      const seq = visible ? visible.seqs[i] : i + 1;
      stream.ensure(seq, seq);
    }
  });

  // Where the jump buttons lead; a button with nowhere to go is disabled. Events reach the page a
  // little after the console output they explain, so "Previous" may wait a moment for its target.
  const jumpCode = CODE_OF_TYPE.get(jumpType) ?? 0;
  const jumpFrom = pastSeq ?? head + 1;
  // Events before jumpFrom never change; those after it change only when one of the type arrives.
  const previousTarget = useMemo(() => stream.find(jumpFrom, -1, jumpCode), [stream, jumpFrom, jumpCode]);
  const lastOfJump = stream.lastOfType(jumpCode);
  const nextTarget = useMemo(() => (lastOfJump > jumpFrom ? stream.find(jumpFrom, 1, jumpCode) : null), [stream, jumpFrom, jumpCode, lastOfJump]);
  const jump = (target: number | null) => {
    if (target !== null) void seek({ seq: target });
  };

  const scrollTo = (seq: number) => {
    scrollToIndex(indexOf(seq), 'center');
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
          <button
            type="button"
            onClick={() => jump(previousTarget)}
            disabled={previousTarget === null}
            aria-label={`Previous ${jumpType}`}
            title={previousTarget === null ? `No earlier ${jumpType}` : `Previous ${jumpType} (seq ${previousTarget})`}
          >
            ◀
          </button>
          <select aria-label="Event type to jump to" value={jumpType} onChange={(e) => setJumpType(e.target.value as EventType)}>
            {EVENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <button
            type="button"
            onClick={() => jump(nextTarget)}
            disabled={nextTarget === null}
            aria-label={`Next ${jumpType}`}
            title={nextTarget === null ? `No later ${jumpType}` : `Next ${jumpType} (seq ${nextTarget})`}
          >
            ▶
          </button>
        </span>
      </div>
      <DensityStrip
        stream={stream}
        pastSeq={pastSeq}
        onPick={(seq) => {
          scrollTo(seq);
          void seek({ seq });
        }}
      />
      <div className={pastSeq === null ? 'timeline-body' : 'timeline-body with-details'}>
        <div
          className="event-list"
          ref={parent}
          role="list"
          aria-label="Events"
          tabIndex={0}
          data-count={head}
          data-shown={count}
        >
          {head === 0 && <p className="muted empty">No events yet.</p>}
          <div style={{ height: totalHeight, position: 'relative' }}>
            {items.map((row) => {
              const seq = seqAt(row.index);
              const type = stream.typeAt(seq);
              const e = stream.eventAt(seq);
              return (
                <div
                  key={seq}
                  role="listitem"
                  className={seq === pastSeq ? 'event-row selected' : 'event-row'}
                  data-type={type}
                  data-seq={seq}
                  title="Travel to just after this event"
                  onClick={() => void seek({ seq })}
                  style={{ transform: `translateY(${row.top}px)`, height: ROW_HEIGHT }}
                >
                  <span className="seq">{seq}</span>
                  <span className="type" style={{ color: FAMILY_COLOR[FAMILIES[stream.familyAt(seq)]] }}>
                    {type}
                  </span>
                  <span className="icount" title="instructions retired">
                    {e ? e.icount.toLocaleString('en') : ''}
                  </span>
                  <span className="summary">{e ? summarize(e) : '…'}</span>
                  {e ? (
                    <time className="at" dateTime={new Date(e.at).toISOString()}>
                      {new Date(e.at).toLocaleTimeString()}
                    </time>
                  ) : (
                    <span className="at" />
                  )}
                </div>
              );
            })}
          </div>
        </div>
        {pastSeq !== null && <EventDetails stream={stream} seq={pastSeq} />}
      </div>
    </div>
  );
}
