// Sv39 translation: superpages, A/D updates, permission faults, SUM, MXR and MPRV.
import { describe, expect, it } from 'vitest';
import { Machine } from './machine.ts';
import { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, translate } from './mmu.ts';
import { TRAP_TAKEN } from './cpu/Cpu.ts';
import { program, NOP } from './testing/rv64Encoder.ts';

const ROOT = 0x8010_0000;
const L1 = 0x8010_1000;
const L0 = 0x8010_2000;
const V = 1n, R = 2n, W = 4n, X = 8n, U = 16n, A = 64n, D = 128n;

function pte(pa: number, flags: bigint): bigint {
  return (BigInt(pa >>> 12) << 10n) | flags;
}

function setup(): Machine {
  const m = new Machine({ bios: program([NOP]), memoryMiB: 16 });
  const write = (addr: number, value: bigint) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, value, true);
    m.ram.writeBytes(addr, b);
  };
  // 1 GiB superpage: VA 0x4000_0000 -> PA 0x8000_0000, RWX, A/D clear.
  write(ROOT + 1 * 8, pte(0x8000_0000, V | R | W | X));
  // VA 0x0 -> L1 -> L0.
  write(ROOT + 0 * 8, pte(L1, V));
  write(L1 + 0 * 8, pte(L0, V));
  // 2 MiB superpage at VA 0x20_0000 -> PA 0x8060_0000, read-only, user.
  write(L1 + 1 * 8, pte(0x8060_0000, V | R | U | A));
  // Misaligned 2 MiB superpage at VA 0x40_0000 (PPN not 2 MiB aligned).
  write(L1 + 2 * 8, pte(0x8060_1000, V | R | A));
  // 4 KiB pages: VA 0x1000 -> PA 0x8070_0000 execute-only; VA 0x2000 -> PA 0x8070_1000 user RW.
  write(L0 + 1 * 8, pte(0x8070_0000, V | X | A));
  write(L0 + 2 * 8, pte(0x8070_1000, V | R | W | U | A | D));
  // VA 0x3000: invalid.
  const cpu = m.cpu;
  cpu.csrHi[0x180] = 8 << 28;
  cpu.csrLo[0x180] = ROOT >>> 12;
  cpu.priv = 1;
  cpu.flushTlb();
  return m;
}

function readPte(m: Machine, addr: number): bigint {
  return new DataView(m.readPhysical(addr, 8).buffer).getBigUint64(0, true);
}

/** The cause a translation raised, or 'ok:<pa hex>'. */
function attempt(m: Machine, va: number, access: number): string {
  try {
    return 'ok:' + translate(m.cpu, va, access).toString(16);
  } catch (e) {
    if (e !== TRAP_TAKEN) throw e;
    const cause = m.cpu.csrLo[0x342];
    m.cpu.priv = 1;
    return `fault:${cause}`;
  }
}

describe('Sv39', () => {
  it('translates through a 1 GiB superpage and sets A on load, A and D on store', () => {
    const m = setup();
    expect(attempt(m, 0x4000_1234, ACCESS_LOAD)).toBe('ok:80001234');
    expect(readPte(m, ROOT + 8) & (A | D)).toBe(A);
    expect(attempt(m, 0x4000_2000, ACCESS_STORE)).toBe('ok:80002000');
    expect(readPte(m, ROOT + 8) & (A | D)).toBe(A | D);
  });

  it('translates through a 2 MiB superpage and a 4 KiB page', () => {
    const m = setup();
    m.cpu.csrLo[0x300] |= 1 << 18; // SUM, the page is a user page
    expect(attempt(m, 0x20_5678, ACCESS_LOAD)).toBe('ok:80605678');
    expect(attempt(m, 0x2abc, ACCESS_STORE)).toBe('ok:80701abc');
  });

  it('raises a store page fault on a read-only page and a load page fault on an invalid one', () => {
    const m = setup();
    m.cpu.csrLo[0x300] |= 1 << 18;
    expect(attempt(m, 0x20_0000, ACCESS_STORE)).toBe('fault:15');
    expect(m.cpu.csrLo[0x343]).toBe(0x20_0000);
    expect(attempt(m, 0x3000, ACCESS_LOAD)).toBe('fault:13');
  });

  it('S-mode touches user pages only with SUM and never executes them', () => {
    const m = setup();
    expect(attempt(m, 0x2000, ACCESS_LOAD)).toBe('fault:13');
    m.cpu.csrLo[0x300] |= 1 << 18;
    expect(attempt(m, 0x2000, ACCESS_LOAD)).toBe('ok:80701000');
    expect(attempt(m, 0x2000, ACCESS_FETCH)).toBe('fault:12');
  });

  it('U-mode cannot touch supervisor pages', () => {
    const m = setup();
    m.cpu.priv = 0;
    let cause = '';
    try {
      translate(m.cpu, 0x4000_0000, ACCESS_LOAD);
    } catch (e) {
      if (e !== TRAP_TAKEN) throw e;
      cause = String(m.cpu.csrLo[0x342]);
    }
    expect(cause).toBe('13');
  });

  it('MXR makes execute-only pages readable', () => {
    const m = setup();
    expect(attempt(m, 0x1000, ACCESS_LOAD)).toBe('fault:13');
    m.cpu.csrLo[0x300] |= 1 << 19;
    expect(attempt(m, 0x1000, ACCESS_LOAD)).toBe('ok:80700000');
    expect(attempt(m, 0x1000, ACCESS_FETCH)).toBe('ok:80700000');
  });

  it('a misaligned superpage is a page fault', () => {
    const m = setup();
    expect(attempt(m, 0x40_0000, ACCESS_LOAD)).toBe('fault:13');
  });

  it('addresses that are not sign-extended from bit 38 fault', () => {
    const m = setup();
    expect(attempt(m, 2 ** 38, ACCESS_LOAD)).toBe('fault:13');
  });

  it('MPRV makes M-mode loads and stores translate with MPP, but not fetches', () => {
    const m = setup();
    m.cpu.priv = 3;
    m.cpu.csrLo[0x300] = (m.cpu.csrLo[0x300] & ~0x1800) | (1 << 11) | (1 << 17);
    m.cpu.flushTlb();
    expect(attempt(m, 0x4000_0010, ACCESS_LOAD)).toBe('ok:80000010');
    m.cpu.priv = 3;
    expect(attempt(m, 0x8000_0010, ACCESS_FETCH)).toBe('ok:80000010');
  });

  it('M-mode ignores satp', () => {
    const m = setup();
    m.cpu.priv = 3;
    expect(attempt(m, 0x8000_0000, ACCESS_LOAD)).toBe('ok:80000000');
  });
});
