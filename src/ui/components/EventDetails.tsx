// Every field of the selected event, readable: addresses in hex, console bytes escaped, counts grouped.
import { useEffect } from 'react';
import { CURRENT_VERSION, FAMILY_OF, type AnyStoredEvent } from '../../domain/index.ts';
import { FAMILY_COLOR, printable } from '../eventSummary.ts';
import { formatBytes } from '../format.ts';
import type { StreamIndex } from '../streamIndex.ts';

/** Fields that hold sizes in bytes. */
const BYTE_SIZES = new Set(['size', 'memoryMiB']);

function Value({ name, value }: { name: string; value: unknown }) {
  if (typeof value === 'string') {
    if (name === 'bytes') {
      return (
        <>
          <code className="bytes">“{printable(value, Number.MAX_SAFE_INTEGER)}”</code> <span className="muted">({value.length} bytes)</span>
        </>
      );
    }
    return <code>{value}</code>;
  }
  if (typeof value === 'number') {
    if (name === 'memoryMiB') return <>{value} MiB</>;
    if (BYTE_SIZES.has(name)) return <>0x{value.toString(16)} <span className="muted">({formatBytes(value)})</span></>;
    return <>{value.toLocaleString('en')}</>;
  }
  if (value === null || value === undefined || typeof value === 'boolean') return <code>{String(value)}</code>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">none</span>;
    return (
      <ol className="detail-list">
        {value.map((v, i) => (
          <li key={i}>
            <Value name={name} value={v} />
          </li>
        ))}
      </ol>
    );
  }
  return <Fields record={value as Record<string, unknown>} />;
}

function Fields({ record }: { record: Record<string, unknown> }) {
  return (
    <dl className="fields">
      {Object.entries(record).map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>
            <Value name={k} value={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Loaded({ e }: { e: AnyStoredEvent }) {
  const family = FAMILY_OF[e.type];
  return (
    <>
      <h3>
        <span style={{ color: FAMILY_COLOR[family] }}>{e.type}</span> <span className="muted">#{e.seq.toLocaleString('en')}</span>
      </h3>
      <dl className="fields">
        <div>
          <dt>family</dt>
          <dd>{family}</dd>
        </div>
        <div>
          <dt>seq</dt>
          <dd>{e.seq.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>icount</dt>
          <dd>
            {e.icount.toLocaleString('en')} <span className="muted">instructions retired</span>
          </dd>
        </div>
        <div>
          <dt>at</dt>
          <dd>
            <time dateTime={new Date(e.at).toISOString()}>{new Date(e.at).toLocaleString()}</time>
          </dd>
        </div>
        <div>
          <dt>schema</dt>
          <dd>
            v{e.v}
            {e.v === CURRENT_VERSION[e.type] ? '' : ` (shown as v${CURRENT_VERSION[e.type]})`}
          </dd>
        </div>
      </dl>
      <h4>data</h4>
      <Fields record={e.data as unknown as Record<string, unknown>} />
    </>
  );
}

/** The details of event `seq`, loaded from the worker when it is not in memory. */
export function EventDetails({ stream, seq }: { stream: StreamIndex; seq: number }) {
  const e = stream.eventAt(seq);
  useEffect(() => {
    if (!e) stream.ensure(seq, seq);
  }, [e, seq, stream]);
  return (
    <aside className="event-details" aria-label="Selected event" data-testid="event-details" data-seq={seq}>
      {e ? <Loaded e={e} /> : <p className="muted">Loading event {seq}…</p>}
    </aside>
  );
}
