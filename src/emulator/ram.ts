// Guest RAM: one buffer with typed views, plus per-4 KiB-page "touched" and "dirty" maps.
//
// The buffer is allocated zeroed in one piece; hosts commit such memory lazily, page by page, on
// first write, so an untouched 128 MiB machine costs little. The machine tracks which pages were
// ever written (touched) and which changed since the last consumer cleared them (dirty); a
// snapshot or hash only visits those.

import { wasmHost, type WasmMemory } from './wasmHost.ts';

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
/** Bytes of the state area after RAM (the hart's layout in Cpu.ts fits in it). */
export const STATE_AREA = 131072;
const WASM_PAGE = 65536;

/**
 * A WebAssembly memory of `pages` 64 KiB pages, or undefined when the host cannot give one (no
 * WebAssembly, or its address space for memories is used up): the machine then runs on a plain
 * buffer and translates into JavaScript.
 */
function wasmMemory(pages: number): WasmMemory | undefined {
  if (wasmHost === undefined) return undefined;
  try {
    return new wasmHost.Memory({ initial: pages, maximum: pages });
  } catch {
    return undefined;
  }
}

export class Ram {
  readonly size: number;
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly i32: Int32Array;
  /** 1 for pages written at least once since creation. */
  readonly touched: Uint8Array;
  /** 1 for pages written since the last clearDirty(). */
  readonly dirty: Uint8Array;
  /** 1 for pages whose cached hash is out of date (the state hash's own dirty map). */
  readonly stale: Uint8Array;
  /**
   * 1 for pages instructions were fetched from (code-page tracking). The hart keeps such pages out
   * of its store TLB, so every write to them reaches `wrote`, which tells `codeWritten`.
   */
  readonly code: Uint8Array;
  /** The WebAssembly memory holding RAM at offset 0 and the state area, when the host has WebAssembly. */
  readonly memory: WasmMemory | undefined;
  /** Byte offset of the hart's state area (Cpu.ts: registers, pc, icount, TLBs) after RAM. */
  readonly stateOffset: number;
  /** The state area (STATE_AREA bytes). */
  readonly state: Uint8Array;
  /** Told of every write to a code page: RAM offset and length (set by the hart). */
  codeWritten: (offset: number, length: number) => void = () => {};

  /**
   * @param backing 'wasm' (default where the host has WebAssembly): one WebAssembly memory;
   *   'array': a plain ArrayBuffer (no WebAssembly translation).
   */
  constructor(
    readonly base: number,
    size: number,
    backing: 'wasm' | 'array' = 'wasm',
  ) {
    if (size <= 0 || size % PAGE_SIZE !== 0) throw new RangeError(`RAM size ${size} must be a positive multiple of 4096`);
    this.size = size;
    // RAM and, after it, the hart's state area share one WebAssembly memory when the host has
    // WebAssembly, so translated blocks address both directly (cpu/wasmBlocks.ts).
    this.stateOffset = Math.ceil(size / WASM_PAGE) * WASM_PAGE;
    const pages = this.stateOffset / WASM_PAGE + Math.ceil(STATE_AREA / WASM_PAGE);
    this.memory = backing === 'wasm' ? wasmMemory(pages) : undefined;
    const buffer = this.memory?.buffer ?? new ArrayBuffer(this.stateOffset + STATE_AREA);
    this.u8 = new Uint8Array(buffer, 0, size);
    this.i8 = new Int8Array(buffer, 0, size);
    this.u16 = new Uint16Array(buffer, 0, size >> 1);
    this.i16 = new Int16Array(buffer, 0, size >> 1);
    this.i32 = new Int32Array(buffer, 0, size >> 2);
    this.state = new Uint8Array(buffer, this.stateOffset, STATE_AREA);
    this.touched = new Uint8Array(size / PAGE_SIZE);
    this.dirty = new Uint8Array(size / PAGE_SIZE);
    this.stale = new Uint8Array(size / PAGE_SIZE);
    this.code = new Uint8Array(size / PAGE_SIZE);
  }

  /** True when the physical range [pa, pa + length) lies inside RAM. */
  contains(pa: number, length = 1): boolean {
    return pa >= this.base && pa + length <= this.base + this.size;
  }

  /** Grows whenever a page is touched for the first time, so a reader can tell nothing new was without scanning the map. */
  touchedVersion = 0;

  markWritten(offset: number): void {
    const page = offset >>> PAGE_SHIFT;
    if (this.touched[page] === 0) this.touchedVersion++;
    this.touched[page] = 1;
    this.dirty[page] = 1;
    this.stale[page] = 1;
  }

  /** `length` bytes at RAM offset `offset` (within one page) changed: tells `codeWritten` if that page holds code. */
  wrote(offset: number, length: number): void {
    if (this.code[offset >>> PAGE_SHIFT] !== 0) this.codeWritten(offset, length);
  }

  /** Copies bytes into RAM at a physical address (loaders, the device tree). */
  writeBytes(pa: number, bytes: Uint8Array): void {
    if (!this.contains(pa, bytes.length)) {
      throw new RangeError(`${bytes.length} bytes at 0x${pa.toString(16)} do not fit in RAM`);
    }
    const offset = pa - this.base;
    this.u8.set(bytes, offset);
    for (let o = offset & ~(PAGE_SIZE - 1); o < offset + bytes.length; o += PAGE_SIZE) {
      this.markWritten(o);
      this.wrote(Math.max(o, offset), Math.min(o + PAGE_SIZE, offset + bytes.length) - Math.max(o, offset));
    }
  }

  /** Copies `length` bytes out of RAM from a physical address. */
  readBytes(pa: number, length: number): Uint8Array {
    if (!this.contains(pa, length)) throw new RangeError(`${length} bytes at 0x${pa.toString(16)} are not in RAM`);
    const offset = pa - this.base;
    return this.u8.slice(offset, offset + length);
  }
}
