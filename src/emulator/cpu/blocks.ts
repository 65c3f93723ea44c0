// Block translation: hot straight-line guest code becomes one JavaScript function per block.
//
// A block starts where control arrives (a jump or branch target, a trap vector, the start of a
// slice) and runs to the first branch or jump (included), to the first instruction the translator
// leaves to the interpreter (CSRs, system, atomics, fences, illegal encodings: excluded), to the
// end of its page, or to MAX_BLOCK instructions. Each instruction is decoded once, at translation:
// register numbers, immediates and pc offsets become constants in the generated source, so a
// block runs without fetch, decode or dispatch. V8 then optimizes the function like any other.
//
// Exactness (the determinism contract of design.md): a block is entered only when all of its
// instructions fit before `cpu.stopAt`, so slices end at the same icounts as in the interpreter;
// loads and stores take the interpreter's inline TLB paths and fall back to the same slow paths,
// with pc and icount synced first, so a fault in the middle of a block is the same trap at the
// same icount. A slow load that ends the slice (a device read with effects) and every slow store
// (devices, watchpoints, code pages) leave the block right after that instruction.
//
// Blocks are keyed by physical RAM offset (aliases share them) and use the pc they are entered
// at for pc-relative values. Pages holding code never enter the store TLB (Cpu.enterCodePage),
// so every write to them reaches `invalidate`, which drops the blocks the write overlaps.
import type { Cpu } from './Cpu.ts';
import { EXPANDED } from './rvc.ts';
import { executeM, executeMW } from './rv64m.ts';
import { shiftLeft, shiftRightArith, shiftRightLogical } from './alu.ts';

/** Times control must arrive at an address before its block is translated (by default). */
export const HOT_THRESHOLD = 256;
/** Longest block, in instructions. */
export const MAX_BLOCK = 64;
/** Translated blocks kept at most; past it every block is dropped and translation starts over. */
export const MAX_BLOCKS = 16384;

const SLOTS = 2048;
/** hits value of a start the translator could not use (its first instruction is left to the interpreter). */
export const NEVER = 0xffff;

export type BlockFunction = (cpu: Cpu) => void;

/** What the machine reports when a block is translated. */
export interface CompiledBlock {
  /** Virtual address the block was entered at when it became hot. */
  readonly pc: number;
  /** Guest instructions in the block. */
  readonly instructions: number;
  /** Times control arrived there before translation. */
  readonly hits: number;
}

/** Blocks of one 4 KiB RAM page, indexed by parcel slot (page offset / 2). */
export class BlockPage {
  readonly fns: (BlockFunction | undefined)[] = new Array<BlockFunction | undefined>(SLOTS).fill(undefined);
  /** Instructions of the block at each slot (0: none). */
  readonly counts = new Int32Array(SLOTS);
  /** Arrivals at each slot while it has no block. */
  readonly hits = new Uint16Array(SLOTS);
  /** Byte ranges [start, end) within the page covered by each translated slot. */
  readonly ends = new Int32Array(SLOTS);
  translated = 0;
}

/** The translated blocks of one machine. */
export class BlockCache {
  private readonly pages: (BlockPage | undefined)[];
  private total = 0;
  /** Told of each translation (HotspotDetected and CodeCompiled effects). */
  onCompiled: ((block: CompiledBlock) => void) | undefined = undefined;
  /** Blocks translated since creation (for statistics and tests). */
  compiled = 0;

  /**
   * @param threshold arrivals at an address before its block is translated (1..65534; tests use 1
   *   to translate every block the first time it runs).
   */
  constructor(
    private readonly cpu: Cpu,
    readonly threshold = HOT_THRESHOLD,
  ) {
    if (!Number.isInteger(threshold) || threshold < 1 || threshold >= NEVER) throw new RangeError(`hot threshold must be 1..${NEVER - 1}, got ${threshold}`);
    this.pages = new Array<BlockPage | undefined>(cpu.ram.code.length).fill(undefined);
  }

  /** The block page of RAM offset `off`, created on first use. */
  page(off: number): BlockPage {
    const index = off >>> 12;
    let page = this.pages[index];
    if (page === undefined) {
      page = new BlockPage();
      this.pages[index] = page;
    }
    return page;
  }

  /**
   * Translates the block at RAM offset `off` (virtual address `pc`, in `page`). Returns false when
   * its first instruction is one the interpreter keeps; that start is then never tried again.
   */
  translate(page: BlockPage, off: number, pc: number): boolean {
    const slot = (off & 4095) >> 1;
    const hits = page.hits[slot];
    const built = buildBlock(this.cpu, off);
    if (built === undefined) {
      page.hits[slot] = NEVER;
      return false;
    }
    if (this.total >= MAX_BLOCKS) this.clear();
    page.fns[slot] = built.fn;
    page.counts[slot] = built.instructions;
    page.ends[slot] = (off & 4095) + built.bytes;
    page.translated++;
    this.total++;
    this.compiled++;
    this.onCompiled?.({ pc, instructions: built.instructions, hits: hits + 1 });
    return true;
  }

  /** A write of `length` bytes at RAM offset `off`: drops the blocks it overlaps. */
  invalidate(off: number, length: number): void {
    for (let index = off >>> 12; index <= (off + length - 1) >>> 12; index++) {
      const page = this.pages[index];
      if (page === undefined || page.translated === 0) continue;
      const from = Math.max(off, index * 4096) - index * 4096;
      const to = Math.min(off + length, (index + 1) * 4096) - index * 4096;
      for (let slot = 0; slot < SLOTS; slot++) {
        if (page.counts[slot] > 0 && slot * 2 < to && page.ends[slot] > from) {
          page.fns[slot] = undefined;
          page.counts[slot] = 0;
          page.hits[slot] = 0;
          page.translated--;
          this.total--;
        }
      }
    }
  }

  /** Drops every block (RAM replaced by a restore, or the cache is full). Pages stay valid objects. */
  clear(): void {
    for (const page of this.pages) {
      if (page === undefined) continue;
      page.fns.fill(undefined);
      page.counts.fill(0);
      page.hits.fill(0);
      page.translated = 0;
    }
    this.total = 0;
  }

  /** Blocks translated and not dropped. */
  get size(): number {
    return this.total;
  }
}

interface BuiltBlock {
  readonly fn: BlockFunction;
  readonly instructions: number;
  readonly bytes: number;
}

/** Helpers the generated code calls, bound once per translation. */
const HELPERS = { executeM, executeMW, shiftLeft, shiftRightArith, shiftRightLogical };

function buildBlock(cpu: Cpu, off: number): BuiltBlock | undefined {
  const u16 = cpu.u16;
  const pageEnd = (off & ~4095) + 4096;
  const lines: string[] = [];
  let at = off;
  let count = 0;
  let ended = false;
  while (count < MAX_BLOCK && at < pageEnd) {
    const parcel = u16[at >> 1];
    let inst: number;
    let len: number;
    if ((parcel & 3) !== 3) {
      inst = EXPANDED[parcel];
      len = 2;
    } else {
      if (at + 4 > pageEnd) break;
      inst = parcel | (u16[(at >> 1) + 1] << 16);
      len = 4;
    }
    const code = emit(inst, len === 2 ? parcel : inst >>> 0, at - off, len, count);
    if (code === undefined) break;
    lines.push(code.source);
    count++;
    at += len;
    if (code.ends) {
      ended = true;
      break;
    }
  }
  if (count === 0) return undefined;
  if (!ended) lines.push(`cpu.pc = pc0 + ${at - off}; cpu.icount = ic + ${count};`);
  const body = `return function block(cpu) {\nconst pc0 = cpu.pc; const ic = cpu.icount;\n${lines.join('\n')}\n};`;
  // The generated source only ever contains numbers produced here from instruction fields.
  const factory = new Function(
    'xlo', 'xhi', 'u8', 'i8', 'u16', 'i16', 'i32', 'loadTag', 'loadBase', 'storeTag', 'storeBase', 'h',
    `const { executeM, executeMW, shiftLeft, shiftRightArith, shiftRightLogical } = h;\n${body}`,
  ) as (...args: unknown[]) => BlockFunction;
  const fn = factory(cpu.xlo, cpu.xhi, cpu.u8, cpu.i8, u16, cpu.i16, cpu.i32, cpu.loadTag, cpu.loadBase, cpu.storeTag, cpu.storeBase, HELPERS);
  return { fn, instructions: count, bytes: at - off };
}

interface Emitted {
  readonly source: string;
  /** The instruction ends the block (a branch or jump: it sets cpu.pc and returns). */
  readonly ends: boolean;
}

const lo = (r: number) => (r === 0 ? '0' : `xlo[${r}]`);
const hi = (r: number) => (r === 0 ? '0' : `xhi[${r}]`);

/**
 * JavaScript for one instruction at byte `delta` from the block start, the `index`th of the block,
 * or undefined when the interpreter must run it. Mirrors rv64i.ts case by case.
 */
function emit(inst: number, raw: number, delta: number, len: number, index: number): Emitted | undefined {
  const rd = (inst >> 7) & 31;
  const rs1 = (inst >> 15) & 31;
  const rs2 = (inst >> 20) & 31;
  const funct3 = (inst >> 12) & 7;
  const next = delta + len;
  const plain = (source: string): Emitted => ({ source: rd === 0 ? '' : source, ends: false });
  // pc and icount of this instruction, written back before a call that may trap or end the slice.
  const sync = `cpu.pc = pc0 + ${delta}; cpu.icount = ic + ${index}; cpu.inst = ${raw | 0};`;
  const leave = `cpu.pc = pc0 + ${next}; cpu.icount = ic + ${index + 1}; return;`;
  switch (inst & 0x7f) {
    case 0x13: {
      const imm = inst >> 20;
      const ih = imm >> 31;
      switch (funct3) {
        case 0:
          if (rs1 === 0) return plain(`xlo[${rd}] = ${imm}; xhi[${rd}] = ${ih};`);
          return plain(
            `{ const s = (xlo[${rs1}] >>> 0) + ${imm >>> 0}; xhi[${rd}] = (xhi[${rs1}] + ${ih} + (s > 4294967295 ? 1 : 0)) | 0; xlo[${rd}] = s | 0; }`,
          );
        case 1:
          if (inst >>> 26 !== 0) return undefined;
          return plain(shiftImmediate('sll', rd, rs1, imm & 63));
        case 2:
          return plain(
            `{ const a = ${hi(rs1)}; xlo[${rd}] = a < ${ih} || (a === ${ih} && ${lo(rs1)} >>> 0 < ${imm >>> 0}) ? 1 : 0; xhi[${rd}] = 0; }`,
          );
        case 3:
          return plain(
            `{ const a = ${hi(rs1)}; xlo[${rd}] = a >>> 0 < ${ih >>> 0} || (a === ${ih} && ${lo(rs1)} >>> 0 < ${imm >>> 0}) ? 1 : 0; xhi[${rd}] = 0; }`,
          );
        case 4:
          return plain(`xlo[${rd}] = ${lo(rs1)} ^ ${imm}; xhi[${rd}] = ${hi(rs1)} ^ ${ih};`);
        case 5: {
          const f6 = inst >>> 26;
          if (f6 === 0) return plain(shiftImmediate('srl', rd, rs1, imm & 63));
          if (f6 === 0x10) return plain(shiftImmediate('sra', rd, rs1, imm & 63));
          return undefined;
        }
        case 6:
          return plain(`xlo[${rd}] = ${lo(rs1)} | ${imm}; xhi[${rd}] = ${hi(rs1)} | ${ih};`);
        default:
          return plain(`xlo[${rd}] = ${lo(rs1)} & ${imm}; xhi[${rd}] = ${hi(rs1)} & ${ih};`);
      }
    }
    case 0x33: {
      const funct7 = inst >>> 25;
      if (funct7 === 1) return plain(`executeM(cpu, ${funct3}, ${rd}, ${hi(rs1)}, ${lo(rs1)}, ${hi(rs2)}, ${lo(rs2)});`);
      if (funct7 !== 0 && !(funct7 === 0x20 && (funct3 === 0 || funct3 === 5))) return undefined;
      switch (funct3) {
        case 0:
          if (funct7 === 0) {
            return plain(
              `{ const s = (${lo(rs1)} >>> 0) + (${lo(rs2)} >>> 0); xhi[${rd}] = (${hi(rs1)} + ${hi(rs2)} + (s > 4294967295 ? 1 : 0)) | 0; xlo[${rd}] = s | 0; }`,
            );
          }
          return plain(
            `{ const a = ${lo(rs1)}; const b = ${lo(rs2)}; xhi[${rd}] = (${hi(rs1)} - ${hi(rs2)} - (a >>> 0 < b >>> 0 ? 1 : 0)) | 0; xlo[${rd}] = (a - b) | 0; }`,
          );
        case 1:
          return plain(`shiftLeft(xlo, xhi, ${rd}, ${lo(rs1)}, ${hi(rs1)}, ${lo(rs2)} & 63);`);
        case 2:
          return plain(
            `{ const a = ${hi(rs1)}; const b = ${hi(rs2)}; xlo[${rd}] = a < b || (a === b && ${lo(rs1)} >>> 0 < ${lo(rs2)} >>> 0) ? 1 : 0; xhi[${rd}] = 0; }`,
          );
        case 3:
          return plain(
            `{ const a = ${hi(rs1)}; const b = ${hi(rs2)}; xlo[${rd}] = a >>> 0 < b >>> 0 || (a === b && ${lo(rs1)} >>> 0 < ${lo(rs2)} >>> 0) ? 1 : 0; xhi[${rd}] = 0; }`,
          );
        case 4:
          return plain(`xlo[${rd}] = ${lo(rs1)} ^ ${lo(rs2)}; xhi[${rd}] = ${hi(rs1)} ^ ${hi(rs2)};`);
        case 5:
          return plain(
            `${funct7 === 0 ? 'shiftRightLogical' : 'shiftRightArith'}(xlo, xhi, ${rd}, ${lo(rs1)}, ${hi(rs1)}, ${lo(rs2)} & 63);`,
          );
        case 6:
          return plain(`xlo[${rd}] = ${lo(rs1)} | ${lo(rs2)}; xhi[${rd}] = ${hi(rs1)} | ${hi(rs2)};`);
        default:
          return plain(`xlo[${rd}] = ${lo(rs1)} & ${lo(rs2)}; xhi[${rd}] = ${hi(rs1)} & ${hi(rs2)};`);
      }
    }
    case 0x03: {
      if (funct3 === 7) return undefined;
      const fast = rd === 0 ? '' : loadFast(funct3, rd);
      const align = [0, 1, 3, 7, 0, 1, 3][funct3];
      return {
        source:
          `{ const s = (${lo(rs1)} >>> 0) + ${inst >> 20}; const lo = s | 0; const hi = (${hi(rs1)} + (s < 0 ? -1 : s > 4294967295 ? 1 : 0)) | 0;` +
          ` const idx = (lo >>> 12) & 1023; let off = -1;` +
          ` if ((hi + 2048) >>> 12 === 0 && loadTag[idx] === ((hi << 20) | (lo >>> 12))) off = loadBase[idx] + (lo & 4095);` +
          ` if (off >= 0 && (off & ${align}) === 0) { ${fast} } else { ${sync} cpu.loadSlow(hi * 4294967296 + (lo >>> 0), ${funct3}, ${rd});` +
          ` if (cpu.stopAt <= ic + ${index + 1}) { ${leave} } } }`,
        ends: false,
      };
    }
    case 0x23: {
      if (funct3 > 3) return undefined;
      const imm = ((inst >> 25) << 5) | ((inst >> 7) & 31);
      const fast = [
        `u8[off] = ${lo(rs2)};`,
        `u16[off >> 1] = ${lo(rs2)};`,
        `i32[off >> 2] = ${lo(rs2)};`,
        `i32[off >> 2] = ${lo(rs2)}; i32[(off >> 2) + 1] = ${hi(rs2)};`,
      ][funct3];
      return {
        source:
          `{ const s = (${lo(rs1)} >>> 0) + ${imm}; const lo = s | 0; const hi = (${hi(rs1)} + (s < 0 ? -1 : s > 4294967295 ? 1 : 0)) | 0;` +
          ` const idx = (lo >>> 12) & 1023; let off = -1;` +
          ` if ((hi + 2048) >>> 12 === 0 && storeTag[idx] === ((hi << 20) | (lo >>> 12))) off = storeBase[idx] + (lo & 4095);` +
          ` if (off >= 0 && (off & ${(1 << funct3) - 1}) === 0) { ${fast} } else { ${sync} cpu.storeSlow(hi * 4294967296 + (lo >>> 0), ${funct3}, ${hi(rs2)}, ${lo(rs2)}); ${leave} } }`,
        ends: false,
      };
    }
    case 0x63: {
      const conditions = [
        'a === b && c === d',
        'a !== b || c !== d',
        '',
        '',
        'c < d || (c === d && a >>> 0 < b >>> 0)',
        '!(c < d || (c === d && a >>> 0 < b >>> 0))',
        'c >>> 0 < d >>> 0 || (c === d && a >>> 0 < b >>> 0)',
        '!(c >>> 0 < d >>> 0 || (c === d && a >>> 0 < b >>> 0))',
      ];
      if (conditions[funct3] === '') return undefined;
      const offset = ((inst >> 31) << 12) | (((inst >> 7) & 1) << 11) | (((inst >> 25) & 0x3f) << 5) | (((inst >> 8) & 0xf) << 1);
      return {
        source:
          `{ const a = ${lo(rs1)}; const b = ${lo(rs2)}; const c = ${hi(rs1)}; const d = ${hi(rs2)};` +
          ` cpu.pc = ${conditions[funct3]} ? pc0 + ${delta} + ${offset} : pc0 + ${next}; cpu.icount = ic + ${index + 1}; return; }`,
        ends: true,
      };
    }
    case 0x37:
      return plain(`xlo[${rd}] = ${inst & 0xfffff000}; xhi[${rd}] = ${inst >> 31};`);
    case 0x17:
      return plain(`{ const v = pc0 + ${delta} + ${inst & 0xfffff000}; xlo[${rd}] = v | 0; xhi[${rd}] = Math.floor(v / 4294967296) | 0; }`);
    case 0x6f: {
      const imm = ((inst >> 31) << 20) | (inst & 0xff000) | (((inst >> 20) & 1) << 11) | (((inst >> 21) & 0x3ff) << 1);
      const link = rd === 0 ? '' : `{ const n = pc0 + ${next}; xlo[${rd}] = n | 0; xhi[${rd}] = Math.floor(n / 4294967296) | 0; }`;
      return { source: `${link} cpu.pc = pc0 + ${delta} + ${imm}; cpu.icount = ic + ${index + 1}; return;`, ends: true };
    }
    case 0x67: {
      if (funct3 !== 0) return undefined;
      const imm = inst >> 20;
      const link = rd === 0 ? '' : `{ const n = pc0 + ${next}; xlo[${rd}] = n | 0; xhi[${rd}] = Math.floor(n / 4294967296) | 0; }`;
      return {
        source:
          `{ const s = (${lo(rs1)} >>> 0) + ${imm >>> 0}; const h = (${hi(rs1)} + ${imm >> 31} + (s > 4294967295 ? 1 : 0)) | 0;` +
          ` const t = h * 4294967296 + ((s & ~1) >>> 0); ${link} cpu.pc = t; cpu.icount = ic + ${index + 1}; return; }`,
        ends: true,
      };
    }
    case 0x1b: {
      const imm = inst >> 20;
      const f7 = inst >>> 25;
      let v: string;
      if (funct3 === 0) v = `(${lo(rs1)} + ${imm}) | 0`;
      else if (funct3 === 1 && f7 === 0) v = `${lo(rs1)} << ${imm & 31}`;
      else if (funct3 === 5 && f7 === 0) v = `(${lo(rs1)} >>> ${imm & 31}) | 0`;
      else if (funct3 === 5 && f7 === 0x20) v = `${lo(rs1)} >> ${imm & 31}`;
      else return undefined;
      return plain(`{ const v = ${v}; xlo[${rd}] = v; xhi[${rd}] = v >> 31; }`);
    }
    case 0x3b: {
      const f7 = inst >>> 25;
      if (f7 === 1) {
        if (funct3 !== 0 && funct3 < 4) return undefined;
        return plain(`executeMW(cpu, ${funct3}, ${rd}, ${lo(rs1)}, ${lo(rs2)});`);
      }
      let v: string;
      if (f7 === 0 && funct3 === 0) v = `(${lo(rs1)} + ${lo(rs2)}) | 0`;
      else if (f7 === 0x20 && funct3 === 0) v = `(${lo(rs1)} - ${lo(rs2)}) | 0`;
      else if (f7 === 0 && funct3 === 1) v = `${lo(rs1)} << (${lo(rs2)} & 31)`;
      else if (f7 === 0 && funct3 === 5) v = `(${lo(rs1)} >>> (${lo(rs2)} & 31)) | 0`;
      else if (f7 === 0x20 && funct3 === 5) v = `${lo(rs1)} >> (${lo(rs2)} & 31)`;
      else return undefined;
      return plain(`{ const v = ${v}; xlo[${rd}] = v; xhi[${rd}] = v >> 31; }`);
    }
    default:
      // MISC-MEM, AMO, SYSTEM and everything illegal stay with the interpreter.
      return undefined;
  }
}

function loadFast(funct3: number, rd: number): string {
  switch (funct3) {
    case 0:
      return `const v = i8[off]; xlo[${rd}] = v; xhi[${rd}] = v >> 31;`;
    case 1:
      return `const v = i16[off >> 1]; xlo[${rd}] = v; xhi[${rd}] = v >> 31;`;
    case 2:
      return `const v = i32[off >> 2]; xlo[${rd}] = v; xhi[${rd}] = v >> 31;`;
    case 3:
      return `xlo[${rd}] = i32[off >> 2]; xhi[${rd}] = i32[(off >> 2) + 1];`;
    case 4:
      return `xlo[${rd}] = u8[off]; xhi[${rd}] = 0;`;
    case 5:
      return `xlo[${rd}] = u16[off >> 1]; xhi[${rd}] = 0;`;
    default:
      return `xlo[${rd}] = i32[off >> 2]; xhi[${rd}] = 0;`;
  }
}

/** A 64-bit shift by a constant amount, specialized at translation. */
function shiftImmediate(kind: 'sll' | 'srl' | 'sra', rd: number, rs1: number, sh: number): string {
  if (sh === 0) return `xlo[${rd}] = ${lo(rs1)}; xhi[${rd}] = ${hi(rs1)};`;
  if (kind === 'sll') {
    if (sh < 32) return `{ const l = ${lo(rs1)}; xhi[${rd}] = (${hi(rs1)} << ${sh}) | (l >>> ${32 - sh}); xlo[${rd}] = l << ${sh}; }`;
    return `xhi[${rd}] = ${lo(rs1)} << ${sh - 32}; xlo[${rd}] = 0;`;
  }
  if (sh < 32) {
    const top = kind === 'srl' ? `h >>> ${sh}` : `h >> ${sh}`;
    return `{ const h = ${hi(rs1)}; xlo[${rd}] = (${lo(rs1)} >>> ${sh}) | (h << ${32 - sh}); xhi[${rd}] = ${top}; }`;
  }
  if (kind === 'srl') return `xlo[${rd}] = ${hi(rs1)} >>> ${sh - 32}; xhi[${rd}] = 0;`;
  return `{ const h = ${hi(rs1)}; xlo[${rd}] = h >> ${sh - 32}; xhi[${rd}] = h >> 31; }`;
}
