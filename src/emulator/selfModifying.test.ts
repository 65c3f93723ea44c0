// Code-page tracking: code that rewrites itself runs what it wrote, translated or interpreted.
import { describe, expect, it } from 'vitest';
import { Machine } from './machine.ts';
import { addi, auipc, bne, jal, jalr, layout, lw, program, sw } from './testing/rv64Encoder.ts';

const T0 = 5;
const T1 = 6;
const T2 = 7;
const RA = 1;
const S0 = 8;
const A0 = 10;
const A1 = 11;
const RAM_PAGE = (pa: number) => (pa - 0x8000_0000) / 4096;

/** The program run `steps` instructions with every block translated at first arrival, and interpreted. */
function both(items: Parameters<typeof program>[0], steps: number): Machine[] {
  return [{ threshold: 1 }, false as const].map((translate) => {
    const m = new Machine({ bios: program(items), memoryMiB: 16, translate });
    m.run(steps);
    return m;
  });
}

describe('self-modifying code', () => {
  it('a store over a block already run in the same page is seen the next time it runs', () => {
    const machines = both(
      layout({
        0: [auipc(T0, 0), lw(T1, T0, 60), addi(A1, 0, 3)],
        12: [jal(RA, 40), addi(A1, A1, -1), bne(A1, 0, -8), sw(T0, T1, 52), jal(RA, 24), jal(0, 0)],
        52: [addi(A0, A0, 1), jalr(0, RA, 0), addi(A0, A0, 100)],
      }),
      60,
    );
    // Three calls run `addi a0,a0,1`, the fourth the `addi a0,a0,100` stored over it.
    for (const m of machines) expect(m.register(A0)).toBe(103n);
    expect(machines[0].blocksCompiled).toBeGreaterThan(0);
  });

  it('a page written through the store TLB before it held code is kept out of the TLB once it does', () => {
    const machines = both(
      layout({
        0: [
          auipc(S0, 1), // s0 = the next page: data first, then code
          auipc(T0, 0), // t0 = base + 4
          lw(T1, T0, 0xfc), // addi a0,a0,1
          lw(T2, T0, 0x100), // jalr x0,0(ra)
          sw(S0, T1, 0), // fills the store TLB for the next page while it holds data
          sw(S0, T2, 4),
          jalr(RA, S0, 0), // runs a0 += 1 there: the page becomes code
          lw(T1, T0, 0x104), // addi a0,a0,100
          sw(S0, T1, 0), // must not go through the store TLB entry filled before
          jalr(RA, S0, 0),
          jal(0, 0),
        ],
        0x100: [addi(A0, A0, 1), jalr(0, RA, 0), addi(A0, A0, 100)],
      }),
      40,
    );
    for (const m of machines) expect(m.register(A0)).toBe(101n);
    expect(machines[0].blocksCompiled).toBeGreaterThan(0);
  });

  it('a compressed instruction overwritten by a 32-bit one runs as the new instruction', () => {
    const machines = both(
      [
        auipc(T0, 0),
        lw(T1, T0, 44), // the word at 44
        addi(A1, 0, 2),
        jal(RA, 24), // 12: call the routine at 36
        addi(A1, A1, -1),
        bne(A1, 0, -8),
        sw(T0, T1, 36), // 24: over both parcels at 36
        jal(RA, 8), // 28: call it again
        jal(0, 0), // 32: stay here
        { c: 0x0505 }, // 36: c.addi a0,1
        { c: 0x0001 }, // 38: c.nop
        jalr(0, RA, 0), // 40
        addi(A0, A0, 100), // 44
      ],
      40,
    );
    // Two calls run c.addi and c.nop; the third runs the `addi a0,a0,100` stored over them.
    for (const m of machines) expect(m.register(A0)).toBe(102n);
    expect(machines[0].blocksCompiled).toBeGreaterThan(0);
  });

  it('marks fetched pages as code and forgets the translated blocks of pages a restore changes', () => {
    const m = new Machine({ bios: program(layout({ 0: [addi(A0, A0, 1), jal(0, -4)] })), memoryMiB: 16, translate: { threshold: 1 } });
    const before = m.snapshot();
    m.run(10);
    expect(m.register(A0)).toBe(5n);
    const ram = (m as unknown as { ram: { code: Uint8Array } }).ram;
    expect(ram.code[RAM_PAGE(0x8000_0000)]).toBe(1);
    expect(ram.code[RAM_PAGE(0x8000_1000)]).toBe(0);
    // A snapshot that differs in code: the restored bytes must be the ones that run.
    const patched = new Machine({ bios: program(layout({ 0: [addi(A0, A0, 7), jal(0, -4)] })), memoryMiB: 16 });
    m.restore(patched.snapshot());
    m.run(4);
    expect(m.register(A0)).toBe(14n);
    m.restore(before);
    m.run(4);
    expect(m.register(A0)).toBe(2n);
  });
});

describe('restoring a snapshot into a machine with translated code', () => {
  // A loop adding 1 to a0, a thousand times, then spinning.
  const loop = () => layout({ 0: [addi(A1, 0, 1000)], 4: [addi(A0, A0, 1), addi(A1, A1, -1), bne(A1, 0, -8), jal(0, 0)] });

  it('keeps the blocks of pages whose bytes the restore leaves as they were', () => {
    const m = new Machine({ bios: program(loop()), memoryMiB: 16, translate: { threshold: 1 } });
    const start = m.snapshot();
    m.run(500);
    const compiled = m.blocksCompiled;
    expect(compiled).toBeGreaterThan(0);
    m.restore(start);
    m.run(500);
    // Nothing had to be translated again.
    expect(m.blocksCompiled).toBe(compiled);
    m.run(2510);
    expect(m.register(A0)).toBe(1000n);
  });

  it('drops the blocks of a page whose bytes differ in the snapshot, and runs the restored code', () => {
    const m = new Machine({ bios: program(loop()), memoryMiB: 16, translate: { threshold: 1 } });
    const start = m.snapshot();
    m.run(500);
    // The same start, with `addi a0,a0,1` turned into `addi a0,a0,5`.
    const patched = new Map(start.pages);
    const code = patched.get(0)!.slice();
    code.set(new Uint8Array(new Uint32Array([addi(A0, A0, 5)]).buffer), 4);
    patched.set(0, code);
    const fromPatched = { ...start, pages: patched };
    m.restore(fromPatched);
    m.run(3010);
    const interpreted = new Machine({ bios: program(loop()), memoryMiB: 16, translate: false });
    interpreted.restore(fromPatched);
    interpreted.run(3010);
    expect(m.register(A0)).toBe(5000n);
    expect(m.stateHash()).toBe(interpreted.stateHash());
  });
});
