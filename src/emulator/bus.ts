// The physical address space: RAM plus memory-mapped devices; anything else is unmapped.
import { Ram } from './ram.ts';

/** A memory-mapped device; offsets are relative to its base, accesses are 1, 2 or 4 bytes. */
export interface MmioDevice {
  readonly name: string;
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
  /** True when reading this register changes device state (the run slice must end after it). */
  readHasEffects?(offset: number): boolean;
}

export interface MmioRegion {
  readonly base: number;
  readonly size: number;
  readonly device: MmioDevice;
}

export class Bus {
  private readonly regions: MmioRegion[] = [];

  constructor(readonly ram: Ram) {}

  map(base: number, size: number, device: MmioDevice): void {
    this.regions.push({ base, size, device });
  }

  /** The device region holding physical address `pa`, or undefined. */
  findRegion(pa: number): MmioRegion | undefined {
    for (const r of this.regions) {
      if (pa >= r.base && pa < r.base + r.size) return r;
    }
    return undefined;
  }

  get mmioRegions(): readonly MmioRegion[] {
    return this.regions;
  }
}
