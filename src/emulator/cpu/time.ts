// Virtual time: mtime derived from the instruction count (design.md §4), plus deterministic idle skips.
import type { Cpu } from './Cpu.ts';

/**
 * Instructions per mtime tick. With the 10 MHz timebase this models a hart retiring 10 million
 * instructions per virtual second: firmware delays and boot countdowns stay short in instructions.
 */
export const INSTRUCTIONS_PER_TICK = 1;

/** Current mtime in ticks. */
export function mtimeOf(cpu: Cpu): number {
  return Math.floor(cpu.icount / INSTRUCTIONS_PER_TICK) + cpu.timeOffset;
}

/** Makes mtime read `value` now (a guest write to mtime). */
export function setMtime(cpu: Cpu, value: number): void {
  cpu.timeOffset = value - Math.floor(cpu.icount / INSTRUCTIONS_PER_TICK);
}

/** Instructions to execute before mtime reaches `deadline` (0 when it already has). */
export function instructionsUntil(cpu: Cpu, deadline: number): number {
  const ticks = deadline - mtimeOf(cpu);
  if (ticks <= 0) return 0;
  const target = (deadline - cpu.timeOffset) * INSTRUCTIONS_PER_TICK;
  return Math.max(1, target - cpu.icount);
}
