// Shared test fixtures for the domain: a configuration, a seeded random source, and event builders.
import { asVmId, type AnyNewEvent, type AnyStoredEvent, type VmConfig, type VmId } from '../events.ts';

export const TEST_VM: VmId = asVmId('vm-test');

export const TEST_CONFIG: VmConfig = {
  memoryMiB: 128,
  isa: 'rv64imac_zicsr_zifencei',
  bootImage: { name: 'playground-os', builtin: true },
  devices: [
    { id: 'uart0', kind: 'ns16550a', base: '0x10000000', size: 256, irq: 10 },
    { id: 'clint', kind: 'clint', base: '0x2000000', size: 65536 },
  ],
};

/** Mulberry32: a small seeded generator, so property tests replay the same sequences. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gives new events consecutive seqs after `after`, as a store would. */
export function stamp(vmId: VmId, after: number, events: readonly AnyNewEvent[]): AnyStoredEvent[] {
  return events.map((e, i) => ({ ...e, vmId, seq: after + i + 1 }) as AnyStoredEvent);
}
