// Translated blocks stop where the interpreter stops: at breakpoints, watchpoints and slice ends.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine } from './machine.ts';
import { addi, bne, jal, jalr, layout, lbu, li, program, sd } from './testing/rv64Encoder.ts';

const T0 = 5;
const A0 = 10;
const A1 = 11;

/** A loop storing a0 to t0 + 8*i for 100 iterations: one block that loops on itself when translated. */
function loop(): Uint8Array {
  return program(
    layout({
      0: [addi(T0, 0, 1), 0x01f29293 /* slli t0,t0,31 */, addi(A1, 0, 100)],
      12: [addi(A0, A0, 3), sd(T0, A0, 0x100), addi(T0, T0, 8), addi(A1, A1, -1), bne(A1, 0, -16)],
    }),
  );
}

function both(): [Machine, Machine] {
  return [new Machine({ bios: loop(), memoryMiB: 16, translate: { threshold: 1 } }), new Machine({ bios: loop(), memoryMiB: 16, translate: false })];
}

/**
 * A loop that calls a function in the same page: blocks end at the call (jal), the return (jalr)
 * and the loop branch, and each leads to another translated block of the page (chained).
 */
function calls(): Uint8Array {
  const RA = 1;
  return program(
    layout({
      0: [addi(T0, 0, 1), 0x01f29293 /* slli t0,t0,31 */, addi(A1, 0, 200)],
      12: [jal(RA, 0x40 - 12), addi(A1, A1, -1), bne(A1, 0, -8), jal(0, 0)],
      0x40: [addi(A0, A0, 5), sd(T0, A0, 0x200), addi(T0, T0, 8), jalr(0, RA, 0)],
    }),
  );
}

/** A loop whose first instruction reads the UART's line status: a device, so never in the load TLB. */
function polling(): Uint8Array {
  const T2 = 7;
  return program(
    layout({
      0: [...li(T2, 0x1000_0000n), addi(A1, 0, 300)],
      16: [lbu(A0, T2, 5), addi(A0, A0, 1), addi(A1, A1, -1), bne(A1, 0, -12), jal(0, 0)],
    }),
  );
}

describe('translated blocks', () => {
  it('leave before a load they cannot do from the TLB, and the interpreter runs it, even as their first instruction', () => {
    const fast = new Machine({ bios: polling(), memoryMiB: 16, translate: { threshold: 1 } });
    const slow = new Machine({ bios: polling(), memoryMiB: 16, translate: false });
    for (const n of [5, 1, 17, 200, 3, 1000]) {
      expect(fast.run(n)).toEqual(slow.run(n));
      expect([fast.icount, fast.pc, fast.stateHash()]).toEqual([slow.icount, slow.pc, slow.stateHash()]);
    }
    expect(fast.blocksCompiled).toBeGreaterThan(0);
  });

  it('chain to the next block of their page and still stop at exactly the budget', () => {
    const fast = new Machine({ bios: calls(), memoryMiB: 16, translate: { threshold: 1 } });
    const slow = new Machine({ bios: calls(), memoryMiB: 16, translate: false });
    for (const n of [1, 3, 2, 5, 8, 13, 1, 40, 7, 100, 6, 9, 250, 11]) {
      expect(fast.run(n)).toEqual(slow.run(n));
      expect([fast.icount, fast.pc, fast.stateHash()]).toEqual([slow.icount, slow.pc, slow.stateHash()]);
    }
    expect(fast.blocksCompiled).toBeGreaterThanOrEqual(3);
    expect(fast.pc).toBeGreaterThanOrEqual(0x8000_0000); // still in the loop, not trapped away
  });

  it('hit a write watchpoint at the store inside a looping block, at the interpreter\'s icount', () => {
    const results = both().map((m) => {
      m.run(40); // the loop block is translated and has looped
      m.watchWrite(0x8000_0000 + 0x100 + 8 * 30, 8);
      const r = m.run(10_000);
      return { reason: r.reason, icount: m.icount, hit: m.watchHit, pc: m.pc, hash: m.stateHash(), blocks: m.blocksCompiled };
    });
    expect(results[0].reason).toBe('watchpoint');
    expect(results[0].blocks).toBeGreaterThan(0);
    expect({ ...results[0], blocks: 0 }).toEqual({ ...results[1], blocks: 0 });
  });

  it('stop at a breakpoint inside a looping block, at the interpreter\'s icount', () => {
    const results = both().map((m) => {
      m.run(40);
      m.breakpoints.add(0x8000_0000 + 20); // the addi after the store
      const first = m.run(10_000);
      const icount = m.icount;
      const second = m.run(10_000);
      return { first: first.reason, icount, second: second.reason, again: m.icount, hash: m.stateHash() };
    });
    expect(results[0].first).toBe('breakpoint');
    expect(results[0].again - results[0].icount).toBe(5); // one pass of the loop later
    expect(results[0]).toEqual(results[1]);
  });

  it('end slices at exactly the budget, however short', () => {
    const [fast, slow] = both();
    for (const n of [1, 2, 3, 7, 1, 50, 4, 5, 6]) {
      expect(fast.run(n)).toEqual(slow.run(n));
      expect(fast.icount).toBe(slow.icount);
      expect(fast.pc).toBe(slow.pc);
    }
    expect(fast.stateHash()).toBe(slow.stateHash());
  });

  it('are counted and bounded on a real guest', () => {
    const m = new Machine({ bios: new Uint8Array(readFileSync('public/guests/bench.elf')), translate: { threshold: 1 } });
    const events: { pc: number; instructions: number; hits: number }[] = [];
    m.onCompiled = (b) => events.push(b);
    m.run(5_000_000);
    expect(m.blocksCompiled).toBe(events.length);
    expect(events.length).toBeGreaterThan(10);
    expect(events.every((e) => e.instructions >= 1 && e.instructions <= 64 && e.hits === 1)).toBe(true);
  });
});
