// User snapshots of the selected VM: take one, restore one (history goes on), delete one.
import { useState, type FormEvent } from 'react';
import type { VmState } from '../../domain/index.ts';
import { useApp } from '../AppContext.tsx';

export function Snapshots({ state }: { state: VmState }) {
  const snapshot = useApp((s) => s.snapshot);
  const execute = useApp((s) => s.execute);
  const busy = useApp((s) => s.busy);
  const [name, setName] = useState('');
  const canRestore = state.status === 'running' || state.status === 'paused';

  const take = (e: FormEvent) => {
    e.preventDefault();
    void snapshot(name.trim() || `snapshot ${state.counters.snapshotsCreated + 1}`).then(() => setName(''));
  };

  return (
    <details className="snapshots" open={state.snapshots.length > 0}>
      <summary>Snapshots ({state.snapshots.length})</summary>
      <form onSubmit={take} className="snapshot-form">
        <input aria-label="Snapshot name" placeholder={`snapshot ${state.counters.snapshotsCreated + 1}`} value={name} maxLength={64} onChange={(e) => setName(e.target.value)} />
        <button type="submit" disabled={busy}>
          Take snapshot
        </button>
      </form>
      <ul>
        {state.snapshots.map((s) => (
          <li key={s.id} data-snapshot={s.name}>
            <span className="name">{s.name}</span>
            <span className="muted">
              seq {s.seq} · icount {s.icount.toLocaleString('en')}
            </span>
            <button type="button" disabled={busy || !canRestore} onClick={() => void execute({ type: 'RestoreSnapshot', id: s.id })} aria-label={`Restore ${s.name}`}>
              Restore
            </button>
            <button type="button" disabled={busy} onClick={() => void execute({ type: 'DeleteSnapshot', id: s.id })} aria-label={`Delete snapshot ${s.name}`}>
              Delete
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}
