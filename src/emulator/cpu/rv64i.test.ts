// RV64I: arithmetic on 64-bit pairs, shifts, compares, jumps, branches, loads and stores.
import { describe, expect, it } from 'vitest';
import { runProgram, u64, CODE_BASE } from '../testing/runProgram.ts';
import { I, R, add, addi, auipc, beq, bne, jal, jalr, lb, lbu, ld, li, lui, lw, sb, sd, slli, srai, srli, sub, sw } from '../testing/rv64Encoder.ts';

const M64 = (1n << 64n) - 1n;

describe('RV64I', () => {
  it('adds with a carry from the low word into the high word', () => {
    const m = runProgram([...li(5, 0xffffffffn), addi(6, 5, 1), add(7, 5, 5)], 10);
    expect(u64(m, 6)).toBe(0x1_0000_0000n);
    expect(u64(m, 7)).toBe(0x1_ffff_fffen);
  });

  it('subtracts with a borrow and wraps around 2^64', () => {
    const m = runProgram([...li(5, 0x1_0000_0000n), addi(6, 0, 1), sub(7, 5, 6), sub(8, 0, 6)], 10);
    expect(u64(m, 7)).toBe(0xffff_ffffn);
    expect(u64(m, 8)).toBe(M64);
  });

  it('shifts by amounts below, at and above 32', () => {
    const v = 0x8123_4567_89ab_cdefn;
    const code = [...li(5, v), slli(6, 5, 4), slli(7, 5, 32), slli(8, 5, 63), srli(9, 5, 36), srai(10, 5, 36), srai(11, 5, 0)];
    const m = runProgram(code, code.length);
    expect(u64(m, 6)).toBe((v << 4n) & M64);
    expect(u64(m, 7)).toBe((v << 32n) & M64);
    expect(u64(m, 8)).toBe((v << 63n) & M64);
    expect(u64(m, 9)).toBe(v >> 36n);
    expect(u64(m, 10)).toBe(BigInt.asUintN(64, BigInt.asIntN(64, v) >> 36n));
    expect(u64(m, 11)).toBe(v);
  });

  it('compares signed and unsigned (SLT, SLTU, SLTI, SLTIU)', () => {
    const code = [
      ...li(5, -1n),
      addi(6, 0, 1),
      R(0x33, 2, 0, 7, 5, 6), // slt x7, -1, 1 -> 1
      R(0x33, 3, 0, 8, 5, 6), // sltu x8, max, 1 -> 0
      I(0x13, 2, 9, 5, 0), // slti x9, -1, 0 -> 1
      I(0x13, 3, 10, 6, -1), // sltiu x10, 1, max -> 1
    ];
    const m = runProgram(code, code.length);
    expect([u64(m, 7), u64(m, 8), u64(m, 9), u64(m, 10)]).toEqual([1n, 0n, 1n, 1n]);
  });

  it('writes to x0 are discarded', () => {
    const m = runProgram([addi(0, 0, 5), add(6, 0, 0)], 2);
    expect(u64(m, 0)).toBe(0n);
    expect(u64(m, 6)).toBe(0n);
  });

  it('LUI sign-extends and AUIPC adds to the pc', () => {
    const m = runProgram([lui(5, 0x80000), auipc(6, 1)], 2);
    expect(u64(m, 5)).toBe(0xffff_ffff_8000_0000n);
    expect(u64(m, 6)).toBe(BigInt(CODE_BASE + 4 + 0x1000));
  });

  it('JAL and JALR link the next pc and JALR clears bit 0 of the target', () => {
    const code = [jal(1, 8), addi(28, 0, 1), auipc(6, 0), addi(6, 6, 17), jalr(7, 6, 0), addi(28, 0, 2), addi(8, 0, 3)];
    const m = runProgram(code, 4);
    expect(u64(m, 1)).toBe(BigInt(CODE_BASE + 4));
    expect(u64(m, 28)).toBe(0n);
    // auipc at +8 gives +8, +17 -> +25, cleared to +24 (addi x8); the link is the jalr's successor.
    expect(m.pc).toBe(CODE_BASE + 24);
    expect(u64(m, 7)).toBe(BigInt(CODE_BASE + 20));
  });

  it('takes and skips branches', () => {
    const code = [addi(5, 0, 1), beq(5, 0, 8), addi(6, 0, 7), bne(5, 0, 8), addi(7, 0, 9), addi(8, 0, 1)];
    const m = runProgram(code, 5);
    expect(u64(m, 6)).toBe(7n);
    expect(u64(m, 7)).toBe(0n);
    expect(u64(m, 8)).toBe(1n);
  });

  it('loads sign- and zero-extend, stores write little-endian', () => {
    const code = [
      ...li(10, 0x8000_1000n),
      ...li(5, 0xfedc_ba98_7654_3210n),
      sd(10, 5, 0),
      ld(6, 10, 0),
      lw(7, 10, 4),
      lb(8, 10, 7),
      lbu(9, 10, 7),
      addi(11, 0, 0x7f),
      sb(10, 11, 1),
      sw(10, 0, 8),
      lw(12, 10, 0),
    ];
    const m = runProgram(code, code.length);
    expect(u64(m, 6)).toBe(0xfedc_ba98_7654_3210n);
    expect(u64(m, 7)).toBe(0xffff_ffff_fedc_ba98n);
    expect(u64(m, 8)).toBe(0xffff_ffff_ffff_fffen);
    expect(u64(m, 9)).toBe(0xfen);
    expect(u64(m, 12)).toBe(0x7654_7f10n);
  });

  it('handles misaligned loads and stores across a page boundary', () => {
    const code = [...li(10, 0x8000_1ffdn), ...li(5, 0x1122_3344_5566_7788n), sd(10, 5, 0), ld(6, 10, 0)];
    const m = runProgram(code, code.length);
    expect(u64(m, 6)).toBe(0x1122_3344_5566_7788n);
    expect(Array.from(m.readPhysical(0x8000_1ffd, 3))).toEqual([0x88, 0x77, 0x66]);
  });

  it('computes 32-bit W forms with sign extension', () => {
    const code = [
      ...li(5, 0x7fff_ffffn),
      I(0x1b, 0, 6, 5, 1), // addiw -> 0x80000000 sign-extended
      R(0x3b, 0, 0x20, 7, 0, 5), // subw 0 - x5
      I(0x1b, 1, 8, 5, 31), // slliw
      I(0x1b, 5, 9, 6, 4), // srliw of 0x80000000
      I(0x1b, 5, 10, 6, 0x404), // sraiw
    ];
    const m = runProgram(code, code.length);
    expect(u64(m, 6)).toBe(0xffff_ffff_8000_0000n);
    expect(u64(m, 7)).toBe(0xffff_ffff_8000_0001n);
    expect(u64(m, 8)).toBe(0xffff_ffff_8000_0000n);
    expect(u64(m, 9)).toBe(0x0800_0000n);
    expect(u64(m, 10)).toBe(0xffff_ffff_f800_0000n);
  });
});
