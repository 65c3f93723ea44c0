// A extension: LR/SC reservations and AMOs in word and doubleword forms.
import { describe, expect, it } from 'vitest';
import { runProgram, u64 } from '../testing/runProgram.ts';
import { R, ld, li, lw } from '../testing/rv64Encoder.ts';

const amo = (funct5: number, funct3: number, rd: number, rs1: number, rs2: number) => R(0x2f, funct3, funct5 << 2, rd, rs1, rs2);
const DATA = 0x8000_2000n;

describe('A extension', () => {
  it('LR/SC succeeds on the reserved address and fails once the reservation is gone', () => {
    const code = [
      ...li(10, DATA),
      ...li(5, 42n),
      amo(0x02, 3, 6, 10, 0), // lr.d x6, (a0)
      amo(0x03, 3, 7, 10, 5), // sc.d x7, x5, (a0) -> 0
      amo(0x03, 3, 8, 10, 5), // sc.d again -> 1
      ld(9, 10, 0),
    ];
    const m = runProgram(code, code.length);
    expect(u64(m, 7)).toBe(0n);
    expect(u64(m, 8)).toBe(1n);
    expect(u64(m, 9)).toBe(42n);
  });

  it('AMOADD.D, AMOSWAP.W, AMOMIN.W, AMOMAXU.D return the old value and store the result', () => {
    const code = [
      ...li(10, DATA),
      ...li(5, -5n),
      amo(0x01, 3, 6, 10, 5), // amoswap.d: mem = -5, x6 = 0
      ...li(7, 3n),
      amo(0x00, 3, 8, 10, 7), // amoadd.d: mem = -2, x8 = -5
      amo(0x10, 2, 9, 10, 7), // amomin.w: min(-2, 3) = -2, x9 = -2 (low word)
      amo(0x1c, 3, 11, 10, 7), // amomaxu.d: max(0xff..fe, 3) unsigned stays, x11 = -2
      amo(0x18, 2, 12, 10, 7), // amominu.w: minu(0xfffffffe, 3) = 3 in the low word
      lw(13, 10, 0),
      ld(14, 10, 0),
    ];
    const m = runProgram(code, code.length);
    expect(u64(m, 6)).toBe(0n);
    expect(BigInt.asIntN(64, u64(m, 8))).toBe(-5n);
    expect(BigInt.asIntN(64, u64(m, 9))).toBe(-2n);
    expect(BigInt.asIntN(64, u64(m, 11))).toBe(-2n);
    expect(u64(m, 13)).toBe(3n);
    expect(u64(m, 14)).toBe(0xffff_ffff_0000_0003n);
  });

  it('a misaligned AMO raises a store/AMO address-misaligned exception', () => {
    const code = [...li(10, DATA + 4n), amo(0x00, 3, 6, 10, 0)];
    const m = runProgram(code, code.length);
    expect(m.csr(0x342)).toBe(6n);
    expect(m.csr(0x343)).toBe(DATA + 4n);
  });
});
