// Random instruction streams in every privilege mode: the guest may do anything, the host never throws.
import { describe, expect, it } from 'vitest';
import { Machine } from './machine.ts';
import { rng } from './testing/random.ts';
import { CSR } from './cpu/csr.ts';
import { MRET, addi, csrrs, csrrw, li, program } from './testing/rv64Encoder.ts';

const HANDLER = 0x8000_0800;
const RANDOM = 0x8000_1000;

/** Trap handler: skip two bytes past mepc and return (so execution walks through the noise). */
const handler = [csrrs(31, CSR.mepc, 0), addi(31, 31, 2), csrrw(0, CSR.mepc, 31), MRET];

function machineFor(seed: number, mode: 0 | 1 | 3): Machine {
  const next = rng(seed);
  const noise = new Uint8Array(16 * 1024);
  for (let i = 0; i < noise.length; i += 4) {
    const w = next();
    // Bias towards valid opcodes so that more than the decoder gets exercised.
    const word = i % 8 === 0 ? (w & ~0x7f) | [0x03, 0x23, 0x13, 0x33, 0x2f, 0x73, 0x63, 0x3b][w & 7] : w;
    noise[i] = word;
    noise[i + 1] = word >>> 8;
    noise[i + 2] = word >>> 16;
    noise[i + 3] = word >>> 24;
  }
  const setup = [
    ...li(5, BigInt(HANDLER)),
    csrrw(0, CSR.mtvec, 5),
    ...li(6, BigInt(RANDOM)),
    csrrw(0, CSR.mepc, 6),
    ...li(7, BigInt(mode) << 11n),
    csrrs(0, CSR.mstatus, 7),
    // Registers point into RAM and devices so that loads and stores land somewhere interesting.
    ...li(10, 0x8000_2000n),
    ...li(11, 0x1000_0000n),
    ...li(12, 0x200_0000n),
    MRET,
  ];
  const image = new Uint8Array(RANDOM - 0x8000_0000 + noise.length);
  image.set(program(setup), 0);
  image.set(program(handler), HANDLER - 0x8000_0000);
  image.set(noise, RANDOM - 0x8000_0000);
  return new Machine({ bios: image, memoryMiB: 16 });
}

describe('random instruction streams', () => {
  for (const mode of [3, 1, 0] as const) {
    it(`never make the host throw (privilege ${mode}, 12 seeds)`, () => {
      for (let seed = 1; seed <= 12; seed++) {
        const m = machineFor(seed * 7919 + mode, mode);
        let executed = 0;
        for (let i = 0; i < 20 && executed < 200_000; i++) {
          const r = m.run(10_000);
          executed += r.executed;
          if (r.reason !== 'budget') break;
        }
        expect(m.icount).toBeGreaterThan(0);
      }
    });
  }
});
