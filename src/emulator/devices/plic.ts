// PLIC (platform-level interrupt controller) with QEMU virt's layout: two contexts of hart 0, M and S.
import type { MmioDevice } from '../bus.ts';
import { PLIC_NDEV } from '../layout.ts';

const CONTEXTS = 2;
const WORDS = Math.ceil(PLIC_NDEV / 32);
const ENABLE_BASE = 0x2000;
const ENABLE_STRIDE = 0x80;
const CONTEXT_BASE = 0x20_0000;
const CONTEXT_STRIDE = 0x1000;

export class Plic implements MmioDevice {
  readonly name = 'plic';
  readonly priority = new Uint32Array(PLIC_NDEV);
  /** Level of each source's line, as its device drives it. */
  readonly level = new Uint8Array(PLIC_NDEV);
  /** Sources claimed and not yet completed. */
  readonly claimed = new Uint8Array(PLIC_NDEV);
  readonly enable = new Uint32Array(CONTEXTS * WORDS);
  readonly threshold = new Uint32Array(CONTEXTS);

  /** Number of sources whose line is high (lets the common case of none skip the scan). */
  private high = 0;

  setLevel(irq: number, high: boolean): void {
    const v = high ? 1 : 0;
    if (this.level[irq] !== v) this.high += high ? 1 : -1;
    this.level[irq] = v;
  }

  readHasEffects(offset: number): boolean {
    return offset >= CONTEXT_BASE && (offset & (CONTEXT_STRIDE - 1)) === 4;
  }

  private pending(irq: number): boolean {
    return this.level[irq] === 1 && this.claimed[irq] === 0;
  }

  /** The best source a context would claim now, or 0. */
  private best(context: number): number {
    if (this.high === 0) return 0;
    let bestIrq = 0;
    let bestPriority = this.threshold[context];
    for (let irq = 1; irq < PLIC_NDEV; irq++) {
      if (!this.pending(irq)) continue;
      if (((this.enable[context * WORDS + (irq >>> 5)] >>> (irq & 31)) & 1) === 0) continue;
      if (this.priority[irq] > bestPriority) {
        bestPriority = this.priority[irq];
        bestIrq = irq;
      }
    }
    return bestIrq;
  }

  /** Whether the context's external interrupt line (MEIP for 0, SEIP for 1) is asserted. */
  interruptLine(context: number): boolean {
    return this.best(context) !== 0;
  }

  read(offset: number, size: number): number {
    if (size !== 4) return 0;
    if (offset < 4 * PLIC_NDEV) return this.priority[offset >>> 2];
    if (offset >= 0x1000 && offset < 0x1000 + 4 * WORDS) {
      const w = (offset - 0x1000) >>> 2;
      let bits = 0;
      for (let b = 0; b < 32; b++) if (w * 32 + b < PLIC_NDEV && this.pending(w * 32 + b)) bits |= 1 << b;
      return bits;
    }
    if (offset >= ENABLE_BASE && offset < ENABLE_BASE + CONTEXTS * ENABLE_STRIDE) {
      const context = (offset - ENABLE_BASE) >>> 7;
      const w = ((offset - ENABLE_BASE) & (ENABLE_STRIDE - 1)) >>> 2;
      return w < WORDS ? this.enable[context * WORDS + w] | 0 : 0;
    }
    if (offset >= CONTEXT_BASE && offset < CONTEXT_BASE + CONTEXTS * CONTEXT_STRIDE) {
      const context = (offset - CONTEXT_BASE) >>> 12;
      const reg = offset & (CONTEXT_STRIDE - 1);
      if (reg === 0) return this.threshold[context];
      if (reg === 4) {
        const irq = this.best(context);
        if (irq !== 0) this.claimed[irq] = 1;
        return irq;
      }
    }
    return 0;
  }

  write(offset: number, size: number, value: number): void {
    if (size !== 4) return;
    if (offset < 4 * PLIC_NDEV) {
      if (offset !== 0) this.priority[offset >>> 2] = value & 7;
      return;
    }
    if (offset >= ENABLE_BASE && offset < ENABLE_BASE + CONTEXTS * ENABLE_STRIDE) {
      const context = (offset - ENABLE_BASE) >>> 7;
      const w = ((offset - ENABLE_BASE) & (ENABLE_STRIDE - 1)) >>> 2;
      // Source 0 does not exist; its enable bit stays clear.
      if (w < WORDS) this.enable[context * WORDS + w] = w === 0 ? value & ~1 : value;
      return;
    }
    if (offset >= CONTEXT_BASE && offset < CONTEXT_BASE + CONTEXTS * CONTEXT_STRIDE) {
      const context = (offset - CONTEXT_BASE) >>> 12;
      const reg = offset & (CONTEXT_STRIDE - 1);
      if (reg === 0) this.threshold[context] = value & 7;
      else if (reg === 4 && value > 0 && value < PLIC_NDEV) this.claimed[value] = 0;
    }
  }

  state(): number[] {
    return [...this.priority, ...this.level, ...this.claimed, ...this.enable, ...this.threshold];
  }

  restoreState(words: readonly number[]): void {
    let i = 0;
    for (const arr of [this.priority, this.level, this.claimed, this.enable, this.threshold]) {
      for (let j = 0; j < arr.length; j++) arr[j] = words[i++];
    }
    this.high = this.level.reduce((n, v) => n + v, 0);
  }
}
