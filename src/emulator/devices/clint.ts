// CLINT (SiFive core-local interruptor): msip, mtimecmp and mtime, with mtime taken from the instruction count.
import type { MmioDevice } from '../bus.ts';
import type { Cpu } from '../cpu/Cpu.ts';
import { mtimeOf, setMtime } from '../cpu/time.ts';
import { CLINT_MSIP_OFFSET, CLINT_MTIMECMP_OFFSET, CLINT_MTIME_OFFSET } from '../layout.ts';

const TWO_32 = 4294967296;

export class Clint implements MmioDevice {
  readonly name = 'clint';
  msip = 0;
  mtimecmpLo = -1;
  mtimecmpHi = -1;

  constructor(private readonly cpu: Cpu) {}

  /** mtimecmp as a number (values above 2^53 lose precision but stay beyond any reachable mtime). */
  get mtimecmp(): number {
    return (this.mtimecmpHi >>> 0) * TWO_32 + (this.mtimecmpLo >>> 0);
  }

  read(offset: number, size: number): number {
    const word = this.readWord(offset & ~3);
    const shift = (offset & 3) * 8;
    if (size === 4) return word;
    return (word >>> shift) & (size === 1 ? 0xff : 0xffff);
  }

  private readWord(offset: number): number {
    const mtime = mtimeOf(this.cpu);
    switch (offset) {
      case CLINT_MSIP_OFFSET:
        return this.msip;
      case CLINT_MTIMECMP_OFFSET:
        return this.mtimecmpLo;
      case CLINT_MTIMECMP_OFFSET + 4:
        return this.mtimecmpHi;
      case CLINT_MTIME_OFFSET:
        return mtime | 0;
      case CLINT_MTIME_OFFSET + 4:
        return Math.floor(mtime / TWO_32) | 0;
      default:
        return 0;
    }
  }

  write(offset: number, size: number, value: number): void {
    const aligned = offset & ~3;
    if (size !== 4) {
      // Narrow writes merge into the 32-bit register they fall in.
      const shift = (offset & 3) * 8;
      const mask = (size === 1 ? 0xff : 0xffff) << shift;
      value = (this.readWord(aligned) & ~mask) | ((value << shift) & mask);
    }
    const mtime = mtimeOf(this.cpu);
    switch (aligned) {
      case CLINT_MSIP_OFFSET:
        this.msip = value & 1;
        break;
      case CLINT_MTIMECMP_OFFSET:
        this.mtimecmpLo = value | 0;
        break;
      case CLINT_MTIMECMP_OFFSET + 4:
        this.mtimecmpHi = value | 0;
        break;
      case CLINT_MTIME_OFFSET:
        setMtime(this.cpu, Math.floor(mtime / TWO_32) * TWO_32 + (value >>> 0));
        break;
      case CLINT_MTIME_OFFSET + 4:
        setMtime(this.cpu, (value >>> 0) * TWO_32 + (mtime % TWO_32));
        break;
      default:
        break;
    }
  }

  /** Device state for hashing, inspection and snapshots. */
  state(): number[] {
    return [this.msip, this.mtimecmpLo, this.mtimecmpHi];
  }

  restoreState(words: readonly number[]): void {
    [this.msip, this.mtimecmpLo, this.mtimecmpHi] = words;
  }
}
