// Test rig: a Machine whose firmware is a list of instruction words at 0x8000_0000.
import { Machine } from '../machine.ts';
import { program } from './rv64Encoder.ts';

export const CODE_BASE = 0x8000_0000;

/** Builds a 16 MiB machine running `items` from 0x8000_0000 (and runs `steps` instructions when given). */
export function runProgram(items: ReadonlyArray<number | { c: number }>, steps?: number): Machine {
  const m = new Machine({ bios: program(items), memoryMiB: 16 });
  if (steps !== undefined) m.run(steps);
  return m;
}

/** Register value as unsigned 64-bit. */
export function u64(m: Machine, reg: number): bigint {
  return BigInt.asUintN(64, m.register(reg));
}
