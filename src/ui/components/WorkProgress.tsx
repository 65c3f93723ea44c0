// Long work under way (import, export, verify, a seek that takes a while): what is happening and how far it is.
import { useEffect, useState } from 'react';
import { useApp } from '../AppContext.tsx';

/** A seek shorter than this shows only the scrubber's marker; longer ones get the progress box. */
const SEEK_SHOWN_AFTER_MS = 400;

export function WorkProgress() {
  const work = useApp((s) => s.work);
  const seekingTo = useApp((s) => s.seekingTo);
  const [now, setNow] = useState(() => performance.now());

  useEffect(() => {
    if (!seekingTo) return;
    const timer = setInterval(() => setNow(performance.now()), 200);
    return () => clearInterval(timer);
  }, [seekingTo]);

  if (work) {
    const p = work.progress;
    const percent = p && p.total ? Math.min(100, Math.round((p.done / p.total) * 100)) : null;
    return (
      <div className="work" role="status" aria-live="polite" data-testid="work-progress">
        <strong>{work.title}</strong>
        <span className="muted small">
          {p ? p.phase : 'Starting'}
          {p && p.total ? ` · ${p.done.toLocaleString('en')} of ${p.total.toLocaleString('en')} (${percent}%)` : ''}
        </span>
        <progress max={100} value={percent ?? undefined} aria-label={`${work.title} progress`} />
      </div>
    );
  }
  if (seekingTo) {
    const elapsed = now - seekingTo.since;
    if (elapsed < SEEK_SHOWN_AFTER_MS) return null;
    const t = seekingTo.target;
    const where = 'seq' in t ? `seq ${t.seq.toLocaleString('en')}` : `icount ${t.icount.toLocaleString('en')}`;
    return (
      <div className="work" role="status" aria-live="polite" data-testid="work-progress">
        <strong>Travelling to {where}</strong>
        <span className="muted small">Re-executing from the nearest checkpoint · {(elapsed / 1000).toFixed(1)} s</span>
        <progress aria-label="Travel progress" />
      </div>
    );
  }
  return null;
}
