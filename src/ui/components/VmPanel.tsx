// The selected VM: its name and status, lifecycle buttons, counters as of its last event, and its events.
import { ALLOWED, type VmState } from '../../domain/index.ts';
import type { UiCommand } from '../../client/vmClient.ts';
import { useApp } from '../AppContext.tsx';
import { ConsolePane, PastConsole } from './ConsolePane.tsx';
import { Inspector } from './Inspector.tsx';
import { Scrubber } from './Scrubber.tsx';
import { Snapshots } from './Snapshots.tsx';
import { Speed } from './Speed.tsx';
import { EventList } from './EventList.tsx';

const ACTIONS: readonly { label: string; command: UiCommand; key: string }[] = [
  { label: 'Start', command: { type: 'StartVm' }, key: 's' },
  { label: 'Pause', command: { type: 'PauseVm', reason: 'user' }, key: 'p' },
  { label: 'Resume', command: { type: 'ResumeVm' }, key: 'r' },
  { label: 'Stop', command: { type: 'StopVm', reason: 'user' }, key: 'x' },
  { label: 'Reset', command: { type: 'ResetVm' }, key: 'z' },
];

export function VmPanel() {
  const current = useApp((s) => s.current);
  const busy = useApp((s) => s.busy);
  const execute = useApp((s) => s.execute);
  const selectedId = useApp((s) => s.selectedId);
  const past = useApp((s) => s.past);
  const backToLive = useApp((s) => s.backToLive);
  const forkHere = useApp((s) => s.forkHere);

  if (!selectedId) return <section className="vm-panel muted">Create a VM to begin.</section>;
  if (!current || current.status === 'none') return <section className="vm-panel muted">Loading…</section>;

  return (
    <section className="vm-panel" aria-label={`VM ${current.name}`}>
      <header className="vm-header">
        <h2>{current.name}</h2>
        <span className={`status status-${current.status}`} data-testid="vm-status">
          {current.status}
          {current.status === 'paused' && current.pauseReason ? ` (${current.pauseReason})` : ''}
          {current.status === 'stopped' && current.stopReason ? ` (${current.stopReason})` : ''}
        </span>
        <Speed />
        <div className="toolbar" role="toolbar" aria-label="Lifecycle">
          {ACTIONS.map((a) => (
            <button
              key={a.label}
              type="button"
              disabled={busy || !ALLOWED[current.status].includes(a.command.type)}
              onClick={() => void execute(a.command)}
              aria-keyshortcuts={`Alt+${a.key.toUpperCase()}`}
              title={`${a.label} (Alt+${a.key.toUpperCase()})`}
            >
              {a.label}
            </button>
          ))}
        </div>
      </header>
      <Scrubber />
      {past && (
        <p className="past-banner" role="status">
          Viewing the past: after event {past.seq} (icount {past.icount.toLocaleString('en')}). The VM itself goes on.{' '}
          <button type="button" onClick={backToLive}>
            Back to live
          </button>{' '}
          <button type="button" onClick={() => void forkHere()} title="A new VM with this history up to here, paused, to go another way">
            Fork from here
          </button>
        </p>
      )}
      <div className={past ? 'consoles in-past' : 'consoles'}>
        <ConsolePane key={selectedId} vmId={selectedId} canType={current.status === 'running' || current.status === 'paused'} />
        {past && <PastConsole text={past.console} />}
      </div>
      <Inspector />
      <Counters state={past?.state ?? current} />
      {!past && <Snapshots state={current} />}
      <EventList />
    </section>
  );
}

/** Alt+letter shortcuts for the lifecycle buttons. */
export function lifecycleShortcut(event: KeyboardEvent): UiCommand | null {
  if (!event.altKey || event.ctrlKey || event.metaKey) return null;
  return ACTIONS.find((a) => a.key === event.key.toLowerCase())?.command ?? null;
}

function Counters({ state }: { state: VmState }) {
  const c = state.counters;
  const rows: [string, string][] = [
    ['events', c.events.toLocaleString('en')],
    ['seq', state.version.toLocaleString('en')],
    ['instructions', c.instructions.toLocaleString('en')],
    ['traps', c.traps.toLocaleString('en')],
    ['page faults', c.pageFaults.toLocaleString('en')],
    ['interrupts', c.interrupts.toLocaleString('en')],
    ['bytes in / out', `${c.bytesIn} / ${c.bytesOut}`],
    ['snapshots', String(state.snapshots.length)],
  ];
  return (
    <dl className="counters">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
