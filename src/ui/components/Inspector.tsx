// The machine at the viewed point: registers (changes highlighted), privilege, CSRs, code at pc, devices.
import type { MachineView } from '../../client/vmClient.ts';
import { useApp } from '../AppContext.tsx';

const ABI = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];

export function Inspector() {
  const past = useApp((s) => s.past);
  const previous = useApp((s) => s.previousPast);
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
            <span className="addr">{line.address}</span>
            <span className="bytes">{line.bytes}</span>
            <span className="text">{line.text}</span>
          </li>
        ))}
        {m.code.length === 0 && <li className="muted">pc is not mapped</li>}
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
