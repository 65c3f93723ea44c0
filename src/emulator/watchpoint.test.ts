// Write watchpoints: a store into a watched range stops the run right after it, naming the writer.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Machine } from './machine.ts';

describe('write watchpoints', () => {
  it('stop the run after the store that writes the watched bytes, with the writer\'s icount', () => {
    const reference = new Machine({ bios: new Uint8Array(readFileSync('public/guests/os.elf')) });
    reference.run(3_000_000);
    // Find a RAM doubleword the guest changes between 3M and 4M instructions.
    const before = reference.readPhysical(0x80000000, 0x80000);
    reference.run(1_000_000);
    const after = reference.readPhysical(0x80000000, 0x80000);
    let offset = -1;
    for (let i = 0; i < before.length; i += 8) {
      if (before.subarray(i, i + 8).some((b, k) => b !== after[i + k])) {
        offset = i;
        break;
      }
    }
    expect(offset).toBeGreaterThanOrEqual(0);
    const pa = 0x80000000 + offset;

    const m = new Machine({ bios: new Uint8Array(readFileSync('public/guests/os.elf')) });
    m.run(3_000_000);
    m.watchWrite(pa, 8);
    const result = m.run(1_000_000);
    expect(result.reason).toBe('watchpoint');
    expect(m.watchHit!.pa).toBeGreaterThanOrEqual(pa - 7);
    expect(m.watchHit!.pa).toBeLessThan(pa + 8);
    expect(m.icount).toBe(m.watchHit!.icount + 1);

    // Watching changes nothing else: the same run without the watchpoint reaches the same state.
    m.clearWatchpoints();
    const target = 4_000_000 + 500_000;
    while (m.icount < target) m.run(target - m.icount);
    const plain = new Machine({ bios: new Uint8Array(readFileSync('public/guests/os.elf')) });
    while (plain.icount < target) plain.run(target - plain.icount);
    expect(m.stateHash()).toBe(plain.stateHash());
  });
});
