// State of the single RV64 hart and its memory access paths (software TLB in front of the MMU).
import type { Bus } from '../bus.ts';
import type { Ram } from '../ram.ts';
import { translate, ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE } from '../mmu.ts';
import { takeTrap } from './trap.ts';
import type { BlockCache } from './blocks.ts';

export const PRIV_U = 0;
export const PRIV_S = 1;
export const PRIV_M = 3;

/** Exception causes (priv. spec table 3.6). */
export const CAUSE_FETCH_MISALIGNED = 0;
export const CAUSE_FETCH_ACCESS = 1;
export const CAUSE_ILLEGAL_INSTRUCTION = 2;
export const CAUSE_BREAKPOINT = 3;
export const CAUSE_LOAD_MISALIGNED = 4;
export const CAUSE_LOAD_ACCESS = 5;
export const CAUSE_STORE_MISALIGNED = 6;
export const CAUSE_STORE_ACCESS = 7;
export const CAUSE_ECALL_U = 8;
export const CAUSE_FETCH_PAGE_FAULT = 12;
export const CAUSE_LOAD_PAGE_FAULT = 13;
export const CAUSE_STORE_PAGE_FAULT = 15;

/** Thrown (never an Error: no stack capture) to abandon the current instruction after a trap was set up. */
export const TRAP_TAKEN = Object.freeze({ trap: true });

export const TLB_SIZE = 1024;
const TLB_MASK = TLB_SIZE - 1;
/**
 * TLB tags are address bits 43:12 as an int32; only addresses within +-2^43 are ever entered, so a
 * tag identifies one page. This value is never a cached tag: its page is neither RAM nor canonical Sv39.
 */
export const INVALID_TAG = 0x7fffffff;

/** The TLB tag of a virtual address (a number), or INVALID_TAG when it cannot be cached. */
export function tlbTag(va: number): number {
  return va >= -(2 ** 43) && va < 2 ** 43 ? Math.floor(va / 4096) | 0 : INVALID_TAG;
}
const TWO_32 = 4294967296;

/** A trap as the hart took it (for TrapTaken/PageFault effects). */
export interface TrapInfo {
  readonly cause: number;
  readonly interrupt: boolean;
  readonly tval: number;
  /** Address of the trapping instruction (or the next one, for an interrupt). */
  readonly pc: number;
  readonly from: number;
  readonly to: number;
  readonly icount: number;
}

/** Hooks the machine gives the hart: stores that need a look (HTIF tohost, write watchpoints). */
export interface CpuHooks {
  /** Called after a store that reached a page the TLB was told not to cache for writes. */
  afterUncachedStore(pa: number, size: number): void;
  /** Physical page numbers whose writes must take the slow path. */
  readonly watchedPages: ReadonlySet<number>;
}

/** Slots of `Cpu.scalars`. */
export const SC_PC = 0;
export const SC_ICOUNT = 1;
export const SC_STOP = 2;
/** Set by a translated block as it leaves: 1 when it left by a jump or branch (control arrives at the new pc), 0 when it left before an instruction for the interpreter to run. */
export const SC_ARRIVE = 3;

/**
 * Byte offsets of the hart state that translated WebAssembly blocks read and write, within the
 * state area that follows RAM in its WebAssembly memory (Ram.stateOffset).
 */
export const STATE_XLO = 0;
export const STATE_XHI = 128;
export const STATE_SCALARS = 256;
export const STATE_LOAD_TAG = 512;
export const STATE_LOAD_BASE = STATE_LOAD_TAG + TLB_SIZE * 4;
export const STATE_STORE_TAG = STATE_LOAD_BASE + TLB_SIZE * 4;
export const STATE_STORE_BASE = STATE_STORE_TAG + TLB_SIZE * 4;
export const STATE_FETCH_TAG = STATE_STORE_BASE + TLB_SIZE * 4;
export const STATE_FETCH_BASE = STATE_FETCH_TAG + TLB_SIZE * 4;
/**
 * Chain entries of translated WebAssembly blocks, [RAM offset, table index, instructions] each,
 * at ((offset >>> 1) ^ (offset >>> CHAIN_SHIFT)) & (CHAIN_ENTRIES - 1): how a block finds the
 * block that follows it (cpu/blocks.ts keeps them).
 */
export const STATE_CHAIN = STATE_FETCH_BASE + TLB_SIZE * 4;
export const CHAIN_ENTRIES = 8192;
export const CHAIN_SHIFT = 14;
/** Bytes of the state area. */
export const STATE_BYTES = STATE_CHAIN + CHAIN_ENTRIES * 12;

export class Cpu {
  readonly xlo: Int32Array;
  readonly xhi: Int32Array;
  /**
   * pc, icount and stopAt (slots SC_PC, SC_ICOUNT, SC_STOP): numbers beyond the engine's small
   * integers that the interpreter and every translated block write back on each exit. Kept in a
   * Float64Array rather than in fields: storing such a number into a field, or passing it to a
   * setter the engine did not inline, can allocate a heap number; a typed-array store never does.
   * The hot loops index it directly; everything else uses the accessors.
   */
  readonly scalars: Float64Array;
  priv = PRIV_M;

  /** Address of the current instruction, the signed 64-bit value (exact below 2^53 in magnitude). */
  get pc(): number {
    return this.scalars[SC_PC];
  }

  set pc(value: number) {
    this.scalars[SC_PC] = value;
  }

  /** Instructions executed, counting ones that trapped. Drives mtime, cycle and instret. */
  get icount(): number {
    return this.scalars[SC_ICOUNT];
  }

  set icount(value: number) {
    this.scalars[SC_ICOUNT] = value;
  }

  /** The run loop stops before executing the instruction at this icount. */
  get stopAt(): number {
    return this.scalars[SC_STOP];
  }

  set stopAt(value: number) {
    this.scalars[SC_STOP] = value;
  }
  /** Set by WFI; the machine decides when the hart wakes. */
  waiting = false;
  /** Raw bits of the current instruction (16 or 32 bits), for illegal-instruction tval. */
  inst = 0;

  /** CSR storage by number; views (sstatus, sie, sip, counters) are computed in csr.ts. */
  readonly csrLo = new Int32Array(4096);
  readonly csrHi = new Int32Array(4096);
  /** mip bits driven by devices (MSIP, MTIP, MEIP, SEIP). */
  mipHw = 0;
  /** mtime ticks added by idle skips and guest writes to mtime. */
  timeOffset = 0;
  /** Counter offsets from guest writes to mcycle/minstret. */
  cycleOffset = 0;
  instretOffset = 0;

  /** Called after every trap entry when set; traps are rare next to instructions, so this stays off the hot path. */
  onTrap: ((trap: TrapInfo) => void) | undefined = undefined;

  /** LR/SC reservation (virtual address) and whether it is valid. */
  reservation = -1;

  // Software TLB, one per access kind: tag = virtual page number, base = RAM offset of the page.
  readonly fetchTag: Int32Array;
  readonly fetchBase: Int32Array;
  readonly loadTag: Int32Array;
  readonly loadBase: Int32Array;
  readonly storeTag: Int32Array;
  readonly storeBase: Int32Array;

  readonly ram: Ram;
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly i32: Int32Array;

  /**
   * Translated code, when the machine translates hot blocks: told of every write to a code page.
   * Code pages (pages instructions were fetched from, `ram.code`) never enter the store TLB, so
   * every write to them reaches `ram.wrote`, which drops the translated blocks it overlaps.
   */
  blocks: BlockCache | undefined = undefined;

  constructor(
    readonly bus: Bus,
    public hooks: CpuHooks,
  ) {
    this.ram = bus.ram;
    // Registers, pc/icount/stopAt and the TLBs live in RAM's state area, where translated
    // WebAssembly blocks reach them when RAM is WebAssembly memory (wasmBlocks.ts).
    const state = this.ram.state;
    if (state.length < STATE_BYTES) throw new Error(`the state area holds ${state.length} bytes; the hart needs ${STATE_BYTES}`);
    const view = (offset: number, length: number) => new Int32Array(state.buffer, state.byteOffset + offset, length);
    this.xlo = view(STATE_XLO, 32);
    this.xhi = view(STATE_XHI, 32);
    this.scalars = new Float64Array(state.buffer, state.byteOffset + STATE_SCALARS, 4);
    this.loadTag = view(STATE_LOAD_TAG, TLB_SIZE).fill(INVALID_TAG);
    this.loadBase = view(STATE_LOAD_BASE, TLB_SIZE);
    this.storeTag = view(STATE_STORE_TAG, TLB_SIZE).fill(INVALID_TAG);
    this.storeBase = view(STATE_STORE_BASE, TLB_SIZE);
    this.fetchTag = view(STATE_FETCH_TAG, TLB_SIZE).fill(INVALID_TAG);
    this.fetchBase = view(STATE_FETCH_BASE, TLB_SIZE);
    this.u8 = this.ram.u8;
    this.i8 = this.ram.i8;
    this.u16 = this.ram.u16;
    this.i16 = this.ram.i16;
    this.i32 = this.ram.i32;
    this.ram.codeWritten = (offset, length) => this.blocks?.invalidate(offset, length);
  }

  /** Ends the current run slice after the instruction in progress. */
  requestExit(): void {
    this.stopAt = this.icount + 1;
  }

  flushTlb(): void {
    this.fetchTag.fill(INVALID_TAG);
    this.loadTag.fill(INVALID_TAG);
    this.storeTag.fill(INVALID_TAG);
  }

  /** Forgets cached write permissions so that the next store to each page marks it dirty again. */
  flushStoreTlb(): void {
    this.storeTag.fill(INVALID_TAG);
  }

  /** Sets up a synchronous exception and abandons the current instruction. */
  raise(cause: number, tval: number): never {
    takeTrap(this, cause, false, tval);
    throw TRAP_TAKEN;
  }

  getReg(i: number): number {
    return this.xhi[i] * TWO_32 + (this.xlo[i] >>> 0);
  }

  setReg(i: number, value: number): void {
    if (i === 0) return;
    this.xlo[i] = value | 0;
    this.xhi[i] = Math.floor(value / TWO_32) | 0;
  }

  // ---- instruction fetch ----

  /** Marks the RAM page at offset `off` as holding code, taking it out of the store TLB. */
  enterCodePage(off: number): void {
    const page = off >>> 12;
    if (this.ram.code[page] !== 0) return;
    this.ram.code[page] = 1;
    const base = page * 4096;
    for (let i = 0; i < TLB_SIZE; i++) if (this.storeBase[i] === base) this.storeTag[i] = INVALID_TAG;
  }

  /** Reads the 16-bit parcel at virtual address `va` (fetch permission). */
  fetch16(va: number): number {
    return this.u16[this.fetchOffset(va) >> 1];
  }

  /** RAM offset of the instruction at `va`, through the fetch TLB (raises fetch faults). */
  fetchOffset(va: number): number {
    const tag = tlbTag(va);
    const idx = tag & TLB_MASK;
    if (tag !== INVALID_TAG && this.fetchTag[idx] === tag) return this.fetchBase[idx] + (va - Math.floor(va / 4096) * 4096);
    return this.ramOffsetOrFault(translate(this, va, ACCESS_FETCH), va, CAUSE_FETCH_ACCESS);
  }

  private ramOffsetOrFault(pa: number, va: number, cause: number): number {
    const ram = this.ram;
    if (pa >= ram.base && pa < ram.base + ram.size) return pa - ram.base;
    return this.raise(cause, va);
  }

  // ---- loads ----

  /** Completes a load from RAM offset `off` (alignment already checked). */
  loadRam(off: number, funct3: number, rd: number): void {
    let lo: number;
    let hi: number;
    switch (funct3) {
      case 0:
        lo = this.i8[off];
        hi = lo >> 31;
        break;
      case 1:
        lo = this.i16[off >> 1];
        hi = lo >> 31;
        break;
      case 2:
        lo = this.i32[off >> 2];
        hi = lo >> 31;
        break;
      case 3:
        lo = this.i32[off >> 2];
        hi = this.i32[(off >> 2) + 1];
        break;
      case 4:
        lo = this.u8[off];
        hi = 0;
        break;
      case 5:
        lo = this.u16[off >> 1];
        hi = 0;
        break;
      case 6:
        lo = this.i32[off >> 2];
        hi = 0;
        break;
      default:
        return this.raise(2, this.inst);
    }
    if (rd !== 0) {
      this.xlo[rd] = lo;
      this.xhi[rd] = hi;
    }
  }

  /** A load the inline TLB path could not serve: translation, misalignment, devices. */
  loadSlow(va: number, funct3: number, rd: number): void {
    if (funct3 === 7) this.raise(2, this.inst);
    const size = 1 << (funct3 & 3);
    if ((va & (size - 1)) !== 0) {
      // Misaligned: assembled byte by byte, each byte translated on its own (may cross pages).
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < size; i++) {
        const b = this.readPhys(translate(this, va + i, ACCESS_LOAD), 1, va) & 0xff;
        if (i < 4) lo |= b << (8 * i);
        else hi |= b << (8 * (i - 4));
      }
      this.finishLoad(lo, hi, funct3, rd);
      return;
    }
    const pa = translate(this, va, ACCESS_LOAD);
    const ram = this.ram;
    if (pa >= ram.base && pa < ram.base + ram.size) {
      this.loadRam(pa - ram.base, funct3, rd);
      return;
    }
    if (size === 8) {
      const lo = this.readPhys(pa, 4, va);
      const hi = this.readPhys(pa + 4, 4, va);
      this.finishLoad(lo, hi, funct3, rd);
    } else {
      this.finishLoad(this.readPhys(pa, size, va), 0, funct3, rd);
    }
  }

  private finishLoad(lo: number, hi: number, funct3: number, rd: number): void {
    switch (funct3) {
      case 0:
        lo = (lo << 24) >> 24;
        hi = lo >> 31;
        break;
      case 1:
        lo = (lo << 16) >> 16;
        hi = lo >> 31;
        break;
      case 2:
        lo |= 0;
        hi = lo >> 31;
        break;
      case 3:
        break;
      case 4:
        lo &= 0xff;
        hi = 0;
        break;
      case 5:
        lo &= 0xffff;
        hi = 0;
        break;
      default:
        hi = 0;
    }
    if (rd !== 0) {
      this.xlo[rd] = lo | 0;
      this.xhi[rd] = hi | 0;
    }
  }

  /** Reads 1, 2 or 4 bytes at a physical address (RAM or a device); unmapped raises a load access fault. */
  readPhys(pa: number, size: number, va: number): number {
    const ram = this.ram;
    if (pa >= ram.base && pa + size <= ram.base + ram.size) {
      const off = pa - ram.base;
      if (size === 1) return this.u8[off];
      if (size === 2) return this.u8[off] | (this.u8[off + 1] << 8);
      return this.u8[off] | (this.u8[off + 1] << 8) | (this.u8[off + 2] << 16) | (this.u8[off + 3] << 24);
    }
    const region = this.bus.findRegion(pa);
    if (region === undefined || pa + size > region.base + region.size) return this.raise(CAUSE_LOAD_ACCESS, va);
    const device = region.device;
    // Plain register reads (a UART status poll) keep the slice going; reads with effects end it.
    if (device.readHasEffects?.(pa - region.base) === true) this.requestExit();
    return device.read(pa - region.base, size);
  }

  /** Reads a 64-bit value for an AMO/LR at a translated physical address into (result lo, returned hi) pair. */
  readPhysPair(pa: number, size: number, va: number, out: Int32Array): void {
    out[0] = this.readPhys(pa, size === 8 ? 4 : size, va);
    out[1] = size === 8 ? this.readPhys(pa + 4, 4, va) : out[0] >> 31;
  }

  // ---- stores ----

  /** A store the inline TLB path could not serve: translation, misalignment, devices, HTIF. */
  storeSlow(va: number, funct3: number, hi: number, lo: number): void {
    if (funct3 > 3) this.raise(2, this.inst);
    const size = 1 << funct3;
    if ((va & (size - 1)) !== 0) {
      // Misaligned: translate every byte first so a fault leaves memory unchanged.
      const pas: number[] = [];
      for (let i = 0; i < size; i++) pas.push(translate(this, va + i, ACCESS_STORE));
      for (let i = 0; i < size; i++) {
        const b = i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff;
        this.writePhys(pas[i], 1, b, va + i);
      }
      return;
    }
    const pa = translate(this, va, ACCESS_STORE);
    if (size === 8) {
      this.writePhys(pa, 4, lo, va);
      this.writePhys(pa + 4, 4, hi, va);
    } else {
      this.writePhys(pa, size, lo, va);
    }
    if (this.hooks.watchedPages.has(Math.floor(pa / 4096))) this.hooks.afterUncachedStore(pa, size);
  }

  /** Writes 1, 2 or 4 bytes at a physical address; unmapped raises a store access fault. */
  writePhys(pa: number, size: number, value: number, va: number): void {
    const ram = this.ram;
    if (pa >= ram.base && pa + size <= ram.base + ram.size) {
      const off = pa - ram.base;
      this.u8[off] = value;
      if (size >= 2) this.u8[off + 1] = value >>> 8;
      if (size === 4) {
        this.u8[off + 2] = value >>> 16;
        this.u8[off + 3] = value >>> 24;
      }
      ram.markWritten(off);
      ram.wrote(off, size);
      return;
    }
    const region = this.bus.findRegion(pa);
    if (region === undefined || pa + size > region.base + region.size) this.raise(CAUSE_STORE_ACCESS, va);
    this.requestExit();
    region.device.write(pa - region.base, size, value);
  }
}
