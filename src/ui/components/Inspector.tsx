// The machine at the viewed point: registers (changes highlighted), privilege, CSRs, code at pc, devices.
import type { MachineView } from '../../client/vmClient.ts';
import { useState, type FormEvent } from 'react';
import { useApp } from '../AppContext.tsx';

/** Sets a breakpoint at a typed address, and lists the ones set. */
function BreakpointEntry({ onAdd, breakpoints }: { onAdd: (pc: string) => void; breakpoints: ReadonlySet<string> }) {
  const [text, setText] = useState('');
  const valid = /^0x[0-9a-f]{1,16}$/i.test(text.trim());
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    const pc = `0x${BigInt(text.trim()).toString(16)}`;
    if (!breakpoints.has(pc)) onAdd(pc);
    setText('');
  };
  return (
    <form onSubmit={submit} className="bp-form">
      <input aria-label="Breakpoint address" placeholder="break at 0x…" value={text} onChange={(e) => setText(e.target.value)} />
      <button type="submit" disabled={!valid}>
        Add
      </button>
      <span className="muted">{breakpoints.size === 0 ? 'no breakpoints' : [...breakpoints].join(' ')}</span>
    </form>
  );
}

const ABI = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];

export function Inspector() {
  const past = useApp((s) => s.past);
  const previous = useApp((s) => s.previousPast);
  const breakpoints = useApp((s) => s.breakpoints);
  const toggleBreakpoint = useApp((s) => s.toggleBreakpoint);
  if (!past) return null;
  const m: MachineView = past.machine;
  const before = previous?.machine;
  return (
    <section className="inspector" aria-label="Inspector">
      <div className="regs" data-testid="registers">
        <div className="reg pc">
          <span className="name">pc</span>
          <span className="value" data-testid="pc">{m.pc}</span>
          <span className="priv">{m.privilege}-mode</span>
        </div>
        {m.registers.map((value, i) => (
          <div key={i} className={before && before.registers[i] !== value ? 'reg changed' : 'reg'}>
            <span className="name">{ABI[i]}</span>
            <span className="value">{value}</span>
          </div>
        ))}
      </div>
      <ol className="code" aria-label="Code at pc">
        {m.code.map((line) => (
          <li key={line.address} className={line.current ? 'current' : undefined}>
            <button
              type="button"
              className={breakpoints.has(line.address) ? 'bp set' : 'bp'}
              aria-pressed={breakpoints.has(line.address)}
              aria-label={`Breakpoint at ${line.address}`}
              title="Toggle a breakpoint here"
              onClick={() => toggleBreakpoint(line.address)}
            >
              ●
            </button>
            <span className="addr">{line.address}</span>
            <span className="bytes">{line.bytes}</span>
            <span className="text">{line.text}</span>
          </li>
        ))}
        {m.code.length === 0 && <li className="muted">pc is not mapped</li>}
        <li className="bp-entry">
          <BreakpointEntry onAdd={toggleBreakpoint} breakpoints={breakpoints} />
        </li>
      </ol>
      <dl className="csrs">
        {m.csrs.map((c) => (
          <div key={c.name}>
            <dt>{c.name}</dt>
            <dd>{c.value}</dd>
          </div>
        ))}
        <div>
          <dt>mtime</dt>
          <dd>{m.devices.mtime.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>mtimecmp</dt>
          <dd>{m.devices.mtimecmp}</dd>
        </div>
        <div>
          <dt>uart rx queued</dt>
          <dd>{m.devices.uartPendingInput}</dd>
        </div>
        <div>
          <dt>state hash</dt>
          <dd>{m.stateHash}</dd>
        </div>
      </dl>
    </section>
  );
}
