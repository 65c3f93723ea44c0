// The machine at the viewed point: registers (changes highlighted), privilege, CSRs, code at pc, devices.
import type { MachineView } from '../../client/vmClient.ts';
import { useState, type FormEvent } from 'react';
import { useApp } from '../AppContext.tsx';

/** A window of guest physical memory at the viewed point, with write watchpoints. */
function MemoryView({ memory }: { memory: MachineView['memory'] }) {
  const showMemory = useApp((s) => s.showMemory);
  const watches = useApp((s) => s.watches);
  const toggleWatch = useApp((s) => s.toggleWatch);
  const [text, setText] = useState(memory?.address ?? '');
  const valid = /^0x[0-9a-f]{1,16}$/i.test(text.trim());
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (valid) void showMemory(`0x${BigInt(text.trim()).toString(16)}`);
  };
  const rows: string[] = [];
  if (memory?.bytes) for (let i = 0; i < memory.bytes.length; i += 32) rows.push(memory.bytes.slice(i, i + 32));
  const base = memory ? Number(BigInt(memory.address)) : 0;
  return (
    <section className="memory" aria-label="Memory">
      <form onSubmit={submit} className="bp-form">
        <input aria-label="Memory address" placeholder="physical address 0x…" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit" disabled={!valid}>
          Show
        </button>
        {memory && (
          <button
            type="button"
            aria-pressed={watches.has(memory.address)}
            onClick={() => toggleWatch(memory.address)}
            title="Stop continue / reverse-continue at any write to these 8 bytes"
          >
            {watches.has(memory.address) ? 'Unwatch' : 'Watch writes'} at {memory.address}
          </button>
        )}
        <span className="muted">{watches.size === 0 ? 'no watchpoints' : `watching ${[...watches].join(' ')}`}</span>
      </form>
      {memory && memory.bytes === null && <p className="muted">{memory.address} is not in RAM.</p>}
      {rows.length > 0 && (
        <pre className="hexdump" data-testid="memory">
          {rows.map((row, r) => `${(base + r * 16).toString(16).padStart(8, '0')}  ${row.match(/../g)!.join(' ')}`).join('\n')}
        </pre>
      )}
    </section>
  );
}

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
      <MemoryView memory={m.memory} />
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
