// The WebAssembly translator: it takes exactly the instructions the JavaScript one does, and its
// 64-bit arithmetic (edge values of every ALU, M and W instruction) matches the interpreter's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emitsJavaScript, translatable } from './cpu/blocks.ts';
import { Machine } from './machine.ts';
import { rng } from './testing/random.ts';
import { I, R, U, addi, bne, jal, ld, li, program, sd } from './testing/rv64Encoder.ts';

/** OP encodings (funct3, funct7) other than M; OP-32 likewise; shift immediates (funct3, imm[11:6] << 6). */
const OP_FORMS = [[0, 0], [0, 0x20], [1, 0], [2, 0], [3, 0], [4, 0], [5, 0], [5, 0x20], [6, 0], [7, 0]] as const;
const OP32_FORMS = [[0, 0], [0, 0x20], [1, 0], [5, 0], [5, 0x20]] as const;
const SHIFT_FORMS = [[1, 0], [5, 0], [5, 0x400]] as const;

const OPCODES = [0x03, 0x13, 0x17, 0x1b, 0x23, 0x33, 0x37, 0x3b, 0x63, 0x67, 0x6f, 0x73, 0x2f, 0x0f];

/** bench.elf's first 40M instructions on a translating machine, and the pcs of the blocks it translated. */
function ranHot(): { image: Uint8Array; first: Machine; pcs: number[] } {
  const image = new Uint8Array(readFileSync('public/guests/bench.elf'));
  const first = new Machine({ bios: image });
  const pcs: number[] = [];
  first.onCompiled = (b) => pcs.push(b.pc);
  first.run(40_000_000);
  expect(pcs.length).toBeGreaterThan(20);
  return { image, first, pcs };
}

describe('the WebAssembly translator', () => {
  it('is the default, and a machine whose RAM is a plain buffer translates into JavaScript instead, with the same states', () => {
    const image = new Uint8Array(readFileSync('public/guests/bench.elf'));
    const wasm = new Machine({ bios: image, translate: { threshold: 4 } });
    const plain = new Machine({ bios: image, translate: { threshold: 4 }, ram: 'array' });
    expect(wasm.cpu.blocks?.backend).toBe('wasm');
    expect(plain.ram.memory).toBeUndefined();
    expect(plain.cpu.blocks?.backend).toBe('js');
    expect(() => new Machine({ bios: image, ram: 'array', translate: { backend: 'wasm' } })).toThrow(/WebAssembly memory/);
    for (const n of [1_000_000, 17, 3_000_000, 250_000]) {
      expect(plain.run(n)).toEqual(wasm.run(n));
      expect([plain.icount, plain.pc, plain.stateHash()]).toEqual([wasm.icount, wasm.pc, wasm.stateHash()]);
    }
    expect(wasm.blocksCompiled).toBeGreaterThan(20);
    expect(plain.blocksCompiled).toBeGreaterThan(20);
  });

  it('translates ahead from a list of hot pcs without changing the state, and then runs exactly', () => {
    const { image, pcs } = ranHot();
    const ahead = new Machine({ bios: image });
    const plain = new Machine({ bios: image, translate: false });
    const before = ahead.stateHash();
    expect(ahead.pretranslate([...pcs, 0x8000_0001, 0x10, 2 ** 40])).toBe(new Set(pcs).size);
    expect(ahead.stateHash()).toBe(before);
    expect(ahead.pretranslate(pcs)).toBe(0);
    for (const n of [5_000_000, 333, 20_000_000]) {
      expect(ahead.run(n)).toEqual(plain.run(n));
      expect([ahead.icount, ahead.pc, ahead.stateHash()]).toEqual([plain.icount, plain.pc, plain.stateHash()]);
    }
  });

  it("takes in another machine's blocks where its RAM holds the same code, and then runs exactly", () => {
    const { image, first, pcs } = ranHot();
    const second = new Machine({ bios: image });
    const plain = new Machine({ bios: image, translate: false });
    // One byte of the code under a block changed here: that block is not taken.
    const changed = pcs[pcs.length >> 1] - second.ram.base;
    const original = second.ram.u8[changed];
    second.ram.writeBytes(second.ram.base + changed, Uint8Array.of(original ^ 0xff));
    const before = second.stateHash();
    const taken = second.adoptBlocks(first);
    expect(taken).toBeGreaterThan(20);
    expect(taken).toBeLessThan(first.cpu.blocks!.compiled);
    expect(second.cpu.blocks!.page(changed).counts[(changed & 4095) >> 1]).toBe(0);
    expect(second.blocksCompiled).toBe(0);
    expect(second.stateHash()).toBe(before);
    // The code back as it was: the blocks over it are taken too.
    second.ram.writeBytes(second.ram.base + changed, Uint8Array.of(original));
    expect(second.adoptBlocks(first)).toBeGreaterThan(0);
    expect(second.cpu.blocks!.page(changed).counts[(changed & 4095) >> 1]).toBeGreaterThan(0);
    for (const n of [5_000_000, 333, 20_000_000]) {
      expect(second.run(n)).toEqual(plain.run(n));
      expect([second.icount, second.pc, second.stateHash()]).toEqual([plain.icount, plain.pc, plain.stateHash()]);
    }
    // Its hot code came translated: little is left to translate of its own.
    expect(second.blocksCompiled).toBeLessThan(taken / 4);
    // A machine of another RAM size takes nothing: the blocks address its state area by offset.
    expect(new Machine({ bios: image, memoryMiB: 64 }).adoptBlocks(first)).toBe(0);
  });

  it('takes exactly the instructions the JavaScript translator takes', () => {
    const next = rng(99);
    for (let i = 0; i < 200_000; i++) {
      const w = next();
      // Mostly valid major opcodes with random fields; funct7 often 0, 1 or 0x20.
      let inst = (w & ~0x7f) | OPCODES[w % OPCODES.length];
      if (i % 3 === 0) inst = (inst & 0x01ffffff) | ([0, 1, 0x20][(w >>> 7) % 3] << 25);
      expect(translatable(inst), `instruction ${(inst >>> 0).toString(16)}`).toBe(emitsJavaScript(inst));
    }
  });

  it('computes what the interpreter computes on edge values, for every ALU, M and W instruction', () => {
    const edges = [0n, 1n, -1n, -(2n ** 63n), 2n ** 63n - 1n, 0x8000_0000n, 0x7fff_ffffn, 0xffff_ffffn, -(2n ** 31n), 2n ** 32n, 3n, -7n, 0x1234_5678_9abc_def0n];
    const next = rng(7);
    const DATA = 0x8000_4000;
    for (let round = 0; round < 12; round++) {
      // x1..x15 are loaded from a table each pass, then a random body of register-register and
      // immediate instructions runs; x16 counts passes, x17 points at the table.
      const body: number[] = [];
      const reg = () => 5 + (next() % 11);
      const src = () => next() % 16;
      for (let i = 0; i < 48; i++) {
        const w = next();
        const kind = w % 7;
        const funct3 = (w >>> 3) & 7;
        const pick = <T,>(list: readonly T[]) => list[(w >>> 6) % list.length];
        if (kind === 0) body.push(R(0x33, funct3, 1, reg(), src(), src()));
        else if (kind === 1) {
          const [f3, f7] = pick(OP_FORMS);
          body.push(R(0x33, f3, f7, reg(), src(), src()));
        } else if (kind === 2) body.push(R(0x3b, pick([0, 4, 5, 6, 7]), 1, reg(), src(), src()));
        else if (kind === 3) {
          const [f3, f7] = pick(OP32_FORMS);
          body.push(R(0x3b, f3, f7, reg(), src(), src()));
        } else if (kind === 4) body.push(I(0x13, pick([0, 2, 3, 4, 6, 7]), reg(), src(), (w >>> 12) & 0xfff));
        else if (kind === 5) {
          const [f3, top] = pick(SHIFT_FORMS);
          body.push(I(0x13, f3, reg(), src(), top | ((w >>> 16) & 63)));
        } else body.push(U(0x37, reg(), w >>> 12));
      }
      // The cases that need exact operands: x1..x4 hold MIN, -1, 0 and -2^31 (see the table below).
      for (const [a, c] of [[1, 2], [1, 3], [4, 2], [2, 3], [1, 1]]) {
        for (let f3 = 0; f3 < 8; f3++) body.push(R(0x33, f3, 1, 5 + f3, a, c));
        for (const f3 of [0, 4, 5, 6, 7]) body.push(R(0x3b, f3, 1, 5 + f3, a, c));
      }
      // Every result is summed into x18, which is never reloaded: no result of any pass is lost to
      // a later write of its register or to a later pass.
      const observed = body.flatMap((inst) => [inst, R(0x33, 0, 0, 18, 18, (inst >>> 7) & 31)]);
      const loads = Array.from({ length: 15 }, (_, i) => ld(i + 1, 17, 8 * i));
      const stores = Array.from({ length: 15 }, (_, i) => sd(17, i + 1, 128 + 8 * i));
      const loop = [...loads, ...observed, ...stores, addi(16, 16, -1)];
      const setup = [...li(17, BigInt(DATA)), addi(16, 0, 40)];
      const words = [...setup, ...loop, bne(16, 0, -4 * loop.length), jal(0, 0)];
      const image = new Uint8Array(DATA - 0x8000_0000 + 2048);
      image.set(program(words), 0);
      const view = new DataView(image.buffer);
      for (let i = 0; i < 15; i++) {
        const value = i < 4 ? [-(2n ** 63n), -1n, 0n, -(2n ** 31n)][i] : edges[next() % edges.length] ^ (next() % 4 === 0 ? BigInt(next()) : 0n);
        view.setBigInt64(DATA - 0x8000_0000 + 8 * i, BigInt.asIntN(64, value), true);
      }
      const fast = new Machine({ bios: image, memoryMiB: 16, translate: { threshold: 1, backend: 'wasm' } });
      const slow = new Machine({ bios: image, memoryMiB: 16, translate: false });
      for (const n of [37, 1, 500, 3, 2000, 90, 5000, 7000]) {
        expect(fast.run(n)).toEqual(slow.run(n));
        for (let r = 1; r < 32; r++) expect(fast.register(r), `x${r} in round ${round}`).toBe(slow.register(r));
      }
      expect(fast.stateHash()).toBe(slow.stateHash());
      expect(fast.register(16)).toBe(0n);
      expect(fast.blocksCompiled).toBeGreaterThan(3);
    }
  });
});
