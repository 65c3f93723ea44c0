// PLIC: priorities, enables, threshold, claim and complete.
import { describe, expect, it } from 'vitest';
import { Plic } from './plic.ts';

describe('PLIC', () => {
  it('delivers the highest-priority enabled source above the threshold and holds it until completion', () => {
    const p = new Plic();
    p.write(10 * 4, 4, 1);
    p.write(3 * 4, 4, 5);
    p.write(0x2000, 4, (1 << 10) | (1 << 3));
    p.setLevel(10, true);
    p.setLevel(3, true);
    expect(p.interruptLine(0)).toBe(true);
    expect(p.interruptLine(1)).toBe(false);
    expect(p.read(0x20_0004, 4)).toBe(3);
    expect(p.read(0x20_0004, 4)).toBe(10);
    expect(p.read(0x20_0004, 4)).toBe(0);
    p.write(0x20_0004, 4, 3);
    expect(p.read(0x1000, 4)).toBe(1 << 3);
    p.write(0x20_0000, 4, 5);
    expect(p.interruptLine(0)).toBe(false);
  });
});
