// Privileged architecture: exceptions, delegation, xRET, interrupts, counters and CSR access rules.
import { describe, expect, it } from 'vitest';
import { runProgram, u64, CODE_BASE } from '../testing/runProgram.ts';
import { ECALL, MRET, WFI, auipc, addi, csrrs, csrrw, jal, layout, li, sd } from '../testing/rv64Encoder.ts';
import { CSR } from './csr.ts';

const HANDLER = 0x100;
const S_CODE = 0x200;
const S_HANDLER = 0x300;

/** mtvec <- base + HANDLER, then the rest. */
const withMtvec = (rest: number[]) => [...li(5, BigInt(CODE_BASE + HANDLER)), csrrw(0, CSR.mtvec, 5), ...rest];

/** Enters S-mode (or U-mode) at base + S_CODE through MRET. */
function enter(mode: 0 | 1): number[] {
  return [
    ...li(6, BigInt(CODE_BASE + S_CODE)),
    csrrw(0, CSR.mepc, 6),
    ...li(7, BigInt(mode) << 11n),
    csrrs(0, CSR.mstatus, 7),
    MRET,
  ];
}

describe('traps', () => {
  it('an unsupported instruction (fadd.d) traps with mcause 2 and the instruction in mtval', () => {
    const code = withMtvec([0x02b57553]);
    const m = runProgram(layout({ 0: code, [HANDLER]: [csrrs(10, CSR.mcause, 0), csrrs(11, CSR.mtval, 0), csrrs(12, CSR.mepc, 0)] }), code.length + 3);
    expect(u64(m, 10)).toBe(2n);
    expect(u64(m, 11)).toBe(0x02b57553n);
    expect(u64(m, 12)).toBe(BigInt(CODE_BASE + 4 * (code.length - 1)));
    expect(m.privilege).toBe(3);
  });

  it('an ECALL from S-mode goes to M-mode with cause 9 when not delegated', () => {
    const code = withMtvec(enter(1));
    const m = runProgram(layout({ 0: code, [HANDLER]: [csrrs(10, CSR.mcause, 0), csrrs(11, CSR.mstatus, 0)], [S_CODE]: [ECALL] }), code.length + 3);
    expect(u64(m, 10)).toBe(9n);
    expect((u64(m, 11) >> 11n) & 3n).toBe(1n);
    expect(m.privilege).toBe(3);
  });

  it('an ECALL from U-mode delegated through medeleg lands in S-mode at stvec', () => {
    const setup = [
      ...li(8, BigInt(CODE_BASE + S_HANDLER)),
      csrrw(0, CSR.stvec, 8),
      addi(9, 0, 1 << 8),
      csrrw(0, CSR.medeleg, 9),
    ];
    const code = withMtvec([...setup, ...li(6, BigInt(CODE_BASE + S_CODE)), csrrw(0, CSR.mepc, 6), MRET]);
    const m = runProgram(
      layout({ 0: code, [HANDLER]: [addi(31, 0, 1)], [S_CODE]: [ECALL], [S_HANDLER]: [csrrs(10, CSR.scause, 0), csrrs(11, CSR.sepc, 0), csrrs(12, CSR.sstatus, 0)] }),
      code.length + 4,
    );
    expect(m.privilege).toBe(1);
    expect(u64(m, 10)).toBe(8n);
    expect(u64(m, 11)).toBe(BigInt(CODE_BASE + S_CODE));
    expect((u64(m, 12) >> 8n) & 1n).toBe(0n); // SPP = U
    expect(u64(m, 31)).toBe(0n);
  });

  it('MRET returns to MPP, restores MIE from MPIE and clears MPP', () => {
    const code = [...li(5, 0x80n | (1n << 11n)), csrrw(0, CSR.mstatus, 5), ...li(6, BigInt(CODE_BASE + 0x40)), csrrw(0, CSR.mepc, 6), MRET];
    const m = runProgram(layout({ 0: code, 0x40: [addi(7, 0, 1)] }), code.length + 1);
    expect(m.privilege).toBe(1);
    const mstatus = m.csr(CSR.mstatus)!;
    expect(mstatus & 0x8n).toBe(0x8n);
    expect((mstatus >> 11n) & 3n).toBe(0n);
    expect(u64(m, 7)).toBe(1n);
  });

  it('a timer interrupt in vectored mode enters mtvec base + 4 * 7 exactly when mtime reaches mtimecmp', () => {
    const code = [
      auipc(5, 0),
      addi(5, 5, HANDLER + 1), // vectored
      csrrw(0, CSR.mtvec, 5),
      ...li(6, 0x200_4000n),
      addi(7, 0, 50),
      sd(6, 7, 0),
      addi(8, 0, 0x80),
      csrrw(0, CSR.mie, 8),
      addi(9, 0, 8),
      csrrs(0, CSR.mstatus, 9),
      addi(10, 10, 1),
      jal(0, -4),
    ];
    const m = runProgram(layout({ 0: code, [HANDLER + 28]: [csrrs(12, CSR.time, 0), csrrs(11, CSR.mcause, 0), jal(0, 0)] }), 200);
    expect(u64(m, 11)).toBe((1n << 63n) | 7n);
    expect(u64(m, 12)).toBe(50n);
  });

  it('WFI with nothing to wait for but input stops the run as waiting-for-input', () => {
    const m = runProgram([WFI, addi(5, 0, 1)]);
    const r = m.run(1000);
    expect(r.reason).toBe('waiting-for-input');
    expect(r.executed).toBe(1);
  });

  it('WFI skips virtual time to the timer deadline instead of spinning', () => {
    const code = [...li(6, 0x200_4000n), ...li(7, 1_000_000n), sd(6, 7, 0), addi(8, 0, 0x80), csrrw(0, CSR.mie, 8), WFI, csrrs(10, CSR.time, 0)];
    const m = runProgram(code);
    const r = m.run(code.length);
    expect(r.executed).toBe(code.length);
    expect(u64(m, 10)).toBeGreaterThanOrEqual(1_000_000n);
  });
});

describe('CSR access', () => {
  it('misa reports RV64 with A, C, I, M, S and U', () => {
    const m = runProgram([csrrs(10, CSR.misa, 0)], 1);
    expect(u64(m, 10)).toBe((2n << 62n) | 0x14_1105n);
  });

  it('writing a read-only CSR is an illegal instruction', () => {
    const code = withMtvec([csrrw(0, CSR.mvendorid, 5)]);
    const m = runProgram(layout({ 0: code, [HANDLER]: [csrrs(10, CSR.mcause, 0)] }), code.length + 1);
    expect(u64(m, 10)).toBe(2n);
  });

  it('S-mode reads cycle only when mcounteren allows it', () => {
    const denied = withMtvec(enter(1));
    const m1 = runProgram(layout({ 0: denied, [HANDLER]: [csrrs(10, CSR.mcause, 0)], [S_CODE]: [csrrs(11, CSR.cycle, 0)] }), denied.length + 2);
    expect(u64(m1, 10)).toBe(2n);
    const allowed = withMtvec([addi(5, 0, 1), csrrw(0, CSR.mcounteren, 5), ...enter(1)]);
    const m2 = runProgram(layout({ 0: allowed, [HANDLER]: [addi(10, 0, 99)], [S_CODE]: [csrrs(11, CSR.cycle, 0)] }), allowed.length + 1);
    expect(u64(m2, 10)).toBe(0n);
    expect(u64(m2, 11)).toBeGreaterThan(0n);
  });

  it('S-mode cannot touch M-mode CSRs', () => {
    const code = withMtvec(enter(1));
    const m = runProgram(layout({ 0: code, [HANDLER]: [csrrs(10, CSR.mcause, 0), csrrs(11, CSR.mtval, 0)], [S_CODE]: [csrrs(12, CSR.mstatus, 0)] }), code.length + 3);
    expect(u64(m, 10)).toBe(2n);
    expect(u64(m, 11)).toBe(BigInt(csrrs(12, CSR.mstatus, 0)));
  });

  it('sstatus is a view of mstatus and sie follows mideleg', () => {
    const code = [
      ...li(5, 0x222n),
      csrrw(0, CSR.mideleg, 5),
      ...li(6, 0xaaan),
      csrrw(0, CSR.mie, 6),
      csrrs(10, CSR.sie, 0),
      addi(7, 0, 2),
      csrrs(0, CSR.sstatus, 7),
      csrrs(11, CSR.mstatus, 0),
    ];
    const m = runProgram(code, code.length);
    expect(u64(m, 10)).toBe(0x222n);
    expect(u64(m, 11) & 2n).toBe(2n);
  });
});
