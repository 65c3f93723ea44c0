// CLINT: mtime from the instruction count, writes to mtime and narrow writes to mtimecmp.
import { describe, expect, it } from 'vitest';
import type { Clint } from './clint.ts';
import { Machine } from '../machine.ts';
import { program, jal } from '../testing/rv64Encoder.ts';

describe('CLINT', () => {
  it('derives mtime from the instruction count and accepts writes to mtime', () => {
    const m = new Machine({ bios: program([jal(0, 0)]), memoryMiB: 16 });
    const c: Clint = m.clint;
    m.run(1234);
    expect(c.read(0xbff8, 4)).toBe(1234);
    c.write(0xbffc, 4, 1);
    expect(c.read(0xbffc, 4)).toBe(1);
    expect(c.read(0xbff8, 4)).toBe(1234);
    m.run(6);
    expect(c.read(0xbff8, 4)).toBe(1240);
  });

  it('merges narrow writes into mtimecmp', () => {
    const m = new Machine({ bios: program([jal(0, 0)]), memoryMiB: 16 });
    m.clint.write(0x4000, 4, 0);
    m.clint.write(0x4004, 4, 0);
    m.clint.write(0x4001, 1, 0xab);
    expect(m.clint.read(0x4000, 4)).toBe(0xab00);
  });
});
