// Block translation: hot guest code becomes one WebAssembly function per region (wasmBlocks.ts),
// or one JavaScript function where the host has no WebAssembly memory for RAM (backend 'js').
//
// A region starts where control arrives (a jump or branch target, a trap vector, the start of a
// slice) and runs in address order past branches and plain jumps, up to a call or an indirect jump
// (included), the first instruction the translator leaves to the interpreter (CSRs, system,
// atomics, fences, illegal encodings: excluded), the end of its page, or MAX_BLOCK instructions.
// Branches and jumps to instructions of the region become jumps inside the function (labels), so
// a hot loop runs as a loop of one function; others leave it. Each
// instruction is decoded once, at translation: register numbers, immediates and pc offsets become
// constants in the generated source, so a region runs without fetch, decode or dispatch.
//
// Exactness (the determinism contract of design.md): a region is entered, and jumps inside itself,
// only when all of its instructions fit before `cpu.stopAt`, so slices end at the same icounts as
// in the interpreter; loads and stores take the interpreter's inline TLB paths, and anything else
// (a TLB miss, a device, a watched or code page, a misaligned address, a fault) leaves the region
// before that instruction, which the interpreter then runs: its slow paths, traps and icounts are
// the interpreter's own. A block calls nothing that can trap.
//
// Regions are keyed by physical RAM offset (aliases share them) and use the pc they are entered
// at for pc-relative values. Pages holding code never enter the store TLB (Cpu.enterCodePage),
// so every write to them reaches `invalidate`, which drops the regions the write overlaps.
import { CHAIN_ENTRIES, CHAIN_SHIFT, SC_ARRIVE, SC_ICOUNT, SC_PC, SC_STOP, STATE_CHAIN, type Cpu } from './Cpu.ts';
import { EXPANDED } from './rvc.ts';
import { executeM, executeMW } from './rv64m.ts';
import { compileWasmBlocks, instantiateWasmBlocks, wasmTrampoline, type WasmFunction } from './wasmBlocks.ts';
import { wasmHost, type WasmTable } from '../wasmHost.ts';

/**
 * Times control must arrive at an address before its block is translated (by default). WebAssembly
 * blocks run compiled from their first call, so warm code pays off early: U-Boot's boot to its
 * prompt in a Chromium worker took 1.1–1.8 s at 16, 64 and 256 alike (host noise is larger than the
 * differences), and bench.elf ran fastest at 16–64. (JavaScript blocks ran in the engine's slow
 * tiers until optimized: for them 2048 was the level point with the interpreter.)
 */
export const HOT_THRESHOLD = 64;
/**
 * Longest block, in instructions. Measured for JavaScript blocks, where short blocks win because
 * each block is a function the engine must optimize, and is deoptimized the first time it meets a
 * path it has not seen (a TLB miss, an exit): the time to optimize grows faster than the block.
 * bench.elf, translated, in a Chromium page (MIPS, 3 runs each, one session): 64 → 93–100,
 * 32 → 111–117, 16 → 150–161, 12 → 170–190, 8 → 166–191, 4 → 136–139; in Node 12 gave 347 against
 * 219–235 for 64.
 */
export const MAX_BLOCK = 12;
/** Translated blocks kept at most; past it every block is dropped and translation starts over. */
export const MAX_BLOCKS = 16384;

const SLOTS = 2048;
/** The slot an exit that does not chain looks up: always empty. */
const NO_SLOT = SLOTS;
/** hits value of a start the translator could not use (its first instruction is left to the interpreter). */
export const NEVER = 0xffff;
/** hits value of a start whose block waits in the batch to be compiled. */
export const PENDING = 0xfffe;
/** Blocks compiled together into one WebAssembly module at most. */
const BATCH = 64;
/**
 * Blocks a batch must hold before control coming back to one of them compiles it; smaller batches
 * wait for the end of the interpreter's run (at most EXECUTE_CHUNK instructions, machine.ts).
 */
export const ARRIVAL_BATCH = 8;
/** Blocks that a block runs straight into, queued with it (WebAssembly backend). */
const FOLLOWERS = 8;

/**
 * A translated block. It returns the block to run next when it leaves to an address of its own
 * page that has one and that fits before stopAt (chaining: the dispatcher only loops over the
 * returned functions), otherwise undefined, and the dispatcher takes over from the hart's pc.
 */
export type BlockFunction = (cpu: Cpu) => BlockFunction | undefined;

/** What translated blocks are compiled to. */
export type BlockBackend = 'wasm' | 'js';

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
  /** JavaScript block at each slot (JavaScript backend); one more slot, NO_SLOT, never holds one (an exit that chains nowhere reads it). */
  readonly fns: (BlockFunction | undefined)[] = new Array<BlockFunction | undefined>(SLOTS + 1).fill(undefined);
  /** Instructions of the block at each slot (0: none). */
  readonly counts = new Int32Array(SLOTS + 1);
  /** Arrivals at each slot while it has no block. */
  readonly hits = new Uint16Array(SLOTS);
  /** Byte ranges [start, end) within the page covered by each translated slot. */
  readonly ends = new Int32Array(SLOTS);
  /** Table index of the WebAssembly block at each slot (WebAssembly backend). */
  readonly ids = new Int32Array(SLOTS);
  translated = 0;
  /** Blocks of the page waiting in the batch to be compiled. */
  pending = 0;
}

/** A block waiting in the batch: where it is, the pc and arrivals to report, what to compile. */
interface Queued {
  readonly page: BlockPage;
  readonly off: number;
  readonly pc: number;
  readonly hits: number;
  readonly region: Region;
}

/** Takes a block out of the batch: its slot counts arrivals again (from 0) until it is made. */
function unqueue(b: Queued): void {
  b.page.pending--;
  b.page.hits[(b.off & 4095) >> 1] = 0;
}

/** A block of a compiled module: its RAM offset, the pc it was made at, its length in instructions and bytes. */
interface ModuleBlock {
  readonly off: number;
  readonly pc: number;
  readonly instructions: number;
  readonly bytes: number;
}

/** A WebAssembly module a cache compiled or took in, its blocks (export `b${i}` is blocks[i]) and which are in place. */
interface CompiledModule {
  readonly module: object;
  readonly blocks: readonly ModuleBlock[];
  readonly alive: Uint8Array;
  live: number;
}

/** Whether RAM bytes [off, off + length) are the same in `a` and `b`. */
function sameBytes(a: Uint8Array, b: Uint8Array, off: number, length: number): boolean {
  for (let i = off; i < off + length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The translated blocks of one machine. */
export class BlockCache {
  private readonly pages: (BlockPage | undefined)[];
  private total = 0;
  /** Told of each translation (HotspotDetected and CodeCompiled effects). */
  onCompiled: ((block: CompiledBlock) => void) | undefined = undefined;
  /** Blocks translated since creation (for statistics and tests). */
  compiled = 0;

  /** What hot blocks become: WebAssembly functions (when the machine's RAM is WebAssembly memory) or JavaScript functions. */
  readonly backend: BlockBackend;
  /**
   * WebAssembly backend: runs the block at a table index and the blocks it chains to
   * (wasmBlocks.ts); the interpreter calls it instead of the block functions.
   */
  readonly run: ((index: number) => void) | undefined;
  private readonly table: WasmTable | undefined;
  /** Free table indices (WebAssembly backend). */
  private readonly freeIds: number[] = [];
  /** Chain entries in the hart's state area: [RAM offset, table index, instructions] (Cpu.ts). */
  private readonly chain: Int32Array;
  /**
   * The modules of this cache that still hold blocks in place, and by table index the module and
   * export each block came from (WebAssembly backend), for `adopt`. A module leaves the set with its
   * last block, so the set never holds more than the blocks in place do.
   */
  private readonly modules = new Set<CompiledModule>();
  private readonly owners: ({ readonly module: CompiledModule; readonly index: number } | undefined)[] = [];
  /** Blocks taken in from another machine's cache (adopt) since creation. */
  adopted = 0;

  /**
   * @param threshold arrivals at an address before its block is translated (1..65534; tests use 1
   *   to translate every block the first time it runs).
   * @param backend 'wasm' (the default where RAM is WebAssembly memory) or 'js'.
   */
  constructor(
    private readonly cpu: Cpu,
    readonly threshold = HOT_THRESHOLD,
    backend?: BlockBackend,
  ) {
    if (!Number.isInteger(threshold) || threshold < 1 || threshold >= PENDING) throw new RangeError(`hot threshold must be 1..${PENDING - 1}, got ${threshold}`);
    const wasm = cpu.ram.memory !== undefined;
    if (backend === 'wasm' && !wasm) throw new Error('WebAssembly translation needs RAM in WebAssembly memory, which this host could not provide');
    this.backend = backend ?? (wasm ? 'wasm' : 'js');
    this.pages = new Array<BlockPage | undefined>(cpu.ram.code.length).fill(undefined);
    const state = cpu.ram.state;
    this.chain = new Int32Array(state.buffer, state.byteOffset + STATE_CHAIN, CHAIN_ENTRIES * 3);
    if (this.backend === 'wasm' && wasmHost !== undefined) {
      this.table = new wasmHost.Table({ element: 'anyfunc', initial: MAX_BLOCKS, maximum: MAX_BLOCKS });
      this.run = wasmTrampoline(this.table);
      for (let id = MAX_BLOCKS - 1; id >= 0; id--) this.freeIds.push(id);
    } else {
      this.table = undefined;
      this.run = undefined;
    }
    this.clearChain();
  }

  private clearChain(): void {
    for (let e = 0; e < CHAIN_ENTRIES; e++) this.chain[e * 3] = -1;
  }

  private chainEntry(off: number): number {
    return (((off >>> 1) ^ (off >>> CHAIN_SHIFT)) & (CHAIN_ENTRIES - 1)) * 3;
  }

  /** Drops the block at `slot` of `page` (RAM offset `off`). */
  private drop(page: BlockPage, slot: number, off: number): void {
    page.fns[slot] = undefined;
    page.counts[slot] = 0;
    page.hits[slot] = 0;
    page.translated--;
    this.total--;
    if (this.table !== undefined) {
      const id = page.ids[slot];
      this.table.set(id, null);
      this.freeIds.push(id);
      const owner = this.owners[id];
      if (owner !== undefined) {
        this.owners[id] = undefined;
        owner.module.alive[owner.index] = 0;
        if (--owner.module.live === 0) this.modules.delete(owner.module);
      }
      const e = this.chainEntry(off);
      if (this.chain[e] === off) this.chain[e] = -1;
    }
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
   * its first instruction is one the interpreter keeps (that start is then never tried again), or
   * when the block waits in the batch for the next `flush`; the interpreter runs the instruction.
   */
  translate(page: BlockPage, off: number, pc: number): boolean {
    const slot = (off & 4095) >> 1;
    const hits = page.hits[slot];
    const region = decodeRegion(this.cpu.u16, off);
    if (region === undefined) {
      page.hits[slot] = NEVER;
      return false;
    }
    if (this.table === undefined) {
      this.make(page, off, pc, hits + 1, region);
      return true;
    }
    // WebAssembly: a module per batch, compiled when control comes back to a waiting block, at
    // the end of the current run of the interpreter, or once the batch is full. Each module has a
    // fixed cost in the engine (0.15 ms in Chromium for one small block), which a batch shares.
    this.make(page, off, pc, hits + 1, region);
    // The straight-line code after a block that runs into the next one is as hot as the block:
    // it goes into the same batch (otherwise it would become a block one pass at a time).
    let next = region;
    let at = off;
    let vpc = pc;
    for (let k = 0; k < FOLLOWERS && !next.ended; k++) {
      at += next.bytes;
      vpc += next.bytes;
      const nextSlot = (at & 4095) >> 1;
      if ((at & 4095) === 0 || page.counts[nextSlot] > 0 || page.hits[nextSlot] >= PENDING) break;
      const following = decodeRegion(this.cpu.u16, at);
      if (following === undefined) break;
      this.make(page, at, vpc, page.hits[nextSlot] + 1, following);
      next = following;
    }
    return false;
  }

  /**
   * A block for `region` at RAM offset `off`: queued for the next batch (WebAssembly; a full batch
   * is compiled at once) or made now (JavaScript).
   */
  private make(page: BlockPage, off: number, pc: number, hits: number, region: Region): void {
    if (this.table === undefined) {
      this.install(page, off, pc, hits, region.code.length, region.bytes, buildBlock(this.cpu, page, off, region));
      return;
    }
    page.hits[(off & 4095) >> 1] = PENDING;
    page.pending++;
    this.batch.push({ page, off, pc, hits, region });
    if (this.batch.length >= BATCH) this.flush();
  }

  /**
   * Translates the block at RAM offset `off` ahead of need (a hint: code known to have been hot),
   * unless one is there, waits, or cannot start there; the caller marks its page as code first
   * and flushes afterwards. Returns whether a block was queued or made.
   */
  pretranslate(off: number, pc: number): boolean {
    const page = this.page(off);
    const slot = (off & 4095) >> 1;
    if (page.counts[slot] > 0 || page.hits[slot] >= PENDING) return false;
    const region = decodeRegion(this.cpu.u16, off);
    if (region === undefined) return false;
    this.make(page, off, pc, page.hits[slot], region);
    return true;
  }

  /** Blocks waiting to be compiled (WebAssembly backend). */
  private batch: Queued[] = [];

  /** Blocks waiting in the batch. */
  get batchSize(): number {
    return this.batch.length;
  }

  /** Compiles the waiting blocks (WebAssembly backend) into one module and puts them in place. */
  flush(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    let modules: { module: object; fns: WasmFunction[]; blocks: Queued[] }[];
    try {
      const compiled = compileWasmBlocks(
        this.cpu,
        batch.map((b) => b.region),
        batch.map((b) => b.off),
      );
      modules = [{ ...compiled, blocks: batch }];
    } catch (error) {
      // A browser's main thread compiles only small modules synchronously (4 KB in Chromium):
      // there, each block gets a module of its own.
      if (batch.length === 1) throw error;
      modules = batch.map((b) => ({ ...compileWasmBlocks(this.cpu, [b.region], [b.off]), blocks: [b] }));
    }
    for (const { module, fns, blocks } of modules) {
      // Only the numbers of each block stay with the module (not its decoded region): they live as long as it does.
      const owner = this.owned(
        module,
        blocks.map((b) => ({ off: b.off, pc: b.pc, instructions: b.region.code.length, bytes: b.region.bytes })),
      );
      for (const [i, b] of blocks.entries()) {
        unqueue(b);
        this.install(b.page, b.off, b.pc, b.hits, b.region.code.length, b.region.bytes, fns[i], owner, i);
      }
    }
  }

  /** A module this cache holds blocks of, in `modules` (while one of them is in place). */
  private owned(module: object, blocks: readonly ModuleBlock[]): CompiledModule {
    const owner: CompiledModule = { module, blocks, alive: new Uint8Array(blocks.length), live: 0 };
    this.modules.add(owner);
    return owner;
  }

  /**
   * Takes in the blocks another machine's cache has in place (WebAssembly backend, same RAM size)
   * wherever this machine's RAM holds the same bytes, by instantiating the modules they were
   * compiled in instead of translating them again. Instances of a module share its compiled code,
   * so the engine's optimized code comes with them rather than being built again while the blocks
   * run slower (a replayer's first seeks ran at a fraction of full speed). Their pages are marked
   * as code, so writes drop them as any other block. Returns how many blocks were taken.
   */
  adopt(from: BlockCache): number {
    if (this.table === undefined || from === this || from.table === undefined || from.cpu.ram.stateOffset !== this.cpu.ram.stateOffset) return 0;
    const mine = this.cpu.ram.u8;
    const theirs = from.cpu.ram.u8;
    let taken = 0;
    for (const source of from.modules) {
      const usable: number[] = [];
      source.blocks.forEach((b, i) => {
        if (source.alive[i] === 0) return;
        const page = this.page(b.off);
        const slot = (b.off & 4095) >> 1;
        if (page.counts[slot] > 0 || page.hits[slot] >= PENDING || !sameBytes(mine, theirs, b.off, b.bytes)) return;
        usable.push(i);
      });
      if (usable.length === 0) continue;
      const fns = instantiateWasmBlocks(this.cpu, source.module, source.blocks.length);
      const owner = this.owned(source.module, source.blocks);
      for (const i of usable) {
        const b = source.blocks[i];
        this.cpu.enterCodePage(b.off);
        this.install(this.page(b.off), b.off, b.pc, 0, b.instructions, b.bytes, fns[i], owner, i, true);
        taken++;
      }
    }
    return taken;
  }

  /** Puts a block in place: a JavaScript function in its page, a WebAssembly one in the table and the chain. */
  private install(
    page: BlockPage,
    off: number,
    pc: number,
    hits: number,
    instructions: number,
    bytes: number,
    fn: BlockFunction | WasmFunction,
    owner?: CompiledModule,
    index = 0,
    adopted = false,
  ): void {
    const slot = (off & 4095) >> 1;
    if (this.total >= MAX_BLOCKS) this.clear();
    if (this.table !== undefined) {
      const id = this.freeIds.pop()!;
      this.table.set(id, fn);
      page.ids[slot] = id;
      if (owner !== undefined) {
        this.owners[id] = { module: owner, index };
        owner.alive[index] = 1;
        owner.live++;
      }
      // The block that may follow another at once: the latest translated at this entry.
      const e = this.chainEntry(off);
      this.chain[e] = off;
      this.chain[e + 1] = id;
      this.chain[e + 2] = instructions;
    } else page.fns[slot] = fn as BlockFunction;
    page.counts[slot] = instructions;
    page.ends[slot] = (off & 4095) + bytes;
    page.translated++;
    this.total++;
    if (adopted) {
      this.adopted++;
      return;
    }
    this.compiled++;
    this.onCompiled?.({ pc, instructions, hits });
  }

  /** Whether RAM page `index` holds translated blocks or blocks waiting to be. */
  translatedOn(index: number): boolean {
    const page = this.pages[index];
    return page !== undefined && (page.translated > 0 || page.pending > 0);
  }

  /** Forgets waiting blocks that overlap RAM offsets [from, to) (all when omitted): their code changed. */
  private dropPending(from = 0, to = Infinity): void {
    if (this.batch.length === 0) return;
    this.batch = this.batch.filter((b) => {
      if (b.off < to && b.off + b.region.bytes > from) {
        unqueue(b);
        return false;
      }
      return true;
    });
  }

  /** A write of `length` bytes at RAM offset `off`: drops the blocks it overlaps. */
  invalidate(off: number, length: number): void {
    this.dropPending(off, off + length);
    for (let index = off >>> 12; index <= (off + length - 1) >>> 12; index++) {
      const page = this.pages[index];
      if (page === undefined || page.translated === 0) continue;
      const from = Math.max(off, index * 4096) - index * 4096;
      const to = Math.min(off + length, (index + 1) * 4096) - index * 4096;
      for (let slot = 0; slot < SLOTS; slot++) {
        if (page.counts[slot] > 0 && slot * 2 < to && page.ends[slot] > from) this.drop(page, slot, index * 4096 + slot * 2);
      }
    }
  }

  /** Drops every block (RAM replaced by a restore, or the cache is full). Pages stay valid objects. */
  clear(): void {
    this.dropPending();
    for (const [index, page] of this.pages.entries()) {
      if (page === undefined) continue;
      if (page.translated > 0) for (let slot = 0; slot < SLOTS; slot++) if (page.counts[slot] > 0) this.drop(page, slot, index * 4096 + slot * 2);
      page.hits.fill(0);
    }
    this.total = 0;
  }
}

/** Stands for the block's length in instructions in source emitted before the block is complete. */
const LENGTH_MARK = '@length@';

/** Helpers the generated code calls (multiply and divide stay shared with the interpreter). */
const HELPERS = { executeM, executeMW };

/**
 * Source of one block. Guest registers live in JavaScript locals inside the block (l5/h5 for the
 * low and high halves of x5), loaded once at entry. Every write goes to the local and through to
 * the hart at once, so an exit or a call that may trap needs no write-back: the hart always holds
 * exactly the registers the interpreter would have left. (Writing back at each exit instead made
 * every exit and slow path carry a copy of the block's written registers: larger functions that
 * the engine took longer to optimize, measured slower in Chromium and in Node.)
 */
class BlockSource {
  /**
   * @param labels label of each instruction (byte offset from the block start) jumped to inside the block
   * @param start the block's byte offset in its page (exits to the same page chain to the next block)
   */
  constructor(
    private readonly labels: ReadonlyMap<number, number>,
    readonly start: number,
  ) {}

  /** The label of an instruction of the block at byte offset `delta`, if a jump inside the block goes there. */
  labelOf(delta: number): number | undefined {
    return this.labels.get(delta);
  }

  private readonly lines: string[] = [];
  private readonly used = new Set<number>();
  /**
   * The block's exits: pc (byte offset from the block start), icount offset from `ic`, the slot of
   * the page a jump leads to (-1: none or elsewhere), and whether control arrives there (a jump or
   * branch: 1) or the interpreter is to run the instruction there (0).
   */
  private readonly exits: { pc: number; ic: number; slot: number; arrive: number }[] = [];
  /** Index of the exit whose pc is computed at run time (an indirect jump), or -1. */
  private dynamicExit = -1;

  /**
   * Code that leaves the block through its one exit sequence (see `source`) for byte offset
   * `target` from the block start (undefined: the pc in `dyn`), with icount `ic + icOffset`: by a
   * jump, or (`slow`) before the instruction at `target`, which the interpreter then runs.
   */
  exit(target: number | undefined, icOffset: number, slow = false): string {
    const k = this.exits.length;
    if (target === undefined) {
      this.dynamicExit = k;
      this.exits.push({ pc: 0, ic: icOffset, slot: NO_SLOT, arrive: 1 });
    } else {
      const at = this.start + target;
      // A slow exit never chains: the block there (if any) would leave at once, again and again.
      const slot = !slow && at >= 0 && at < 4096 ? at >> 1 : NO_SLOT;
      this.exits.push({ pc: target, ic: icOffset, slot, arrive: slow ? 0 : 1 });
    }
    return `x = ${k}; break main;`;
  }

  /** Reads of a register's halves (x0 reads as the constant 0). */
  lo(r: number): string {
    if (r === 0) return '0';
    this.used.add(r);
    return `l${r}`;
  }

  hi(r: number): string {
    if (r === 0) return '0';
    this.used.add(r);
    return `h${r}`;
  }

  /** Assigns int32 expressions to rd, local and hart (nothing for x0: its value never changes). */
  set(rd: number, lo: string, hi: string): string {
    if (rd === 0) return '';
    this.used.add(rd);
    return `l${rd} = ${lo}; h${rd} = ${hi}; xlo[${rd}] = l${rd}; xhi[${rd}] = h${rd};`;
  }

  /** rd was written by a helper into the hart: take it back into the locals. */
  reload(rd: number): string {
    if (rd === 0) return '';
    this.used.add(rd);
    return `l${rd} = xlo[${rd}]; h${rd} = xhi[${rd}];`;
  }

  push(line: string): void {
    this.lines.push(line);
  }

  /** The function's source; `length` is the block's instruction count. */
  source(length: number): string {
    const locals = [...this.used].sort((a, b) => a - b).map((r) => `l${r} = xlo[${r}], h${r} = xhi[${r}]`);
    const declare = locals.length === 0 ? '' : `let ${locals.join(', ')};\n`;
    const body = this.lines
      .join('\n')
      .split(LENGTH_MARK)
      .join(String(length));
    type Exit = { pc: number; ic: number; slot: number; arrive: number };
    const table = (f: (e: Exit) => number) => `[${this.exits.map(f).join(', ')}]`;
    const dynamic = this.dynamicExit;
    const pc = dynamic < 0 ? 'pc0 + EXIT_PC[x]' : `x === ${dynamic} ? dyn : pc0 + EXIT_PC[x]`;
    const slot =
      dynamic < 0
        ? 'const slot = EXIT_SLOT[x];'
        : `const q = dyn - pc0 + ${this.start}; const slot = x !== ${dynamic} ? EXIT_SLOT[x] : q >= 0 && q < 4096 ? q >> 1 : ${NO_SLOT};`;
    // Every exit runs this one sequence, every part of it each time (an exit that chains nowhere
    // looks up the empty NO_SLOT), so the engine has seen all of it run before it optimizes the
    // block: an exit taken for the first time costs no deoptimization. Slow paths and exits written
    // out at each instruction cost about 40 of them in a run of bench.elf.
    const tail =
      `sc[${SC_PC}] = ${pc}; const n = ic + EXIT_IC[x]; sc[${SC_ICOUNT}] = n; sc[${SC_ARRIVE}] = EXIT_ARRIVE[x]; ${slot}\n` +
      `const f = fns[slot]; const fits = n + counts[slot] <= sc[${SC_STOP}]; return f !== undefined && fits ? f : undefined;`;
    return (
      `const EXIT_PC = ${table((e) => e.pc)}, EXIT_IC = ${table((e) => e.ic)}, EXIT_SLOT = ${table((e) => e.slot)}, EXIT_ARRIVE = ${table((e) => e.arrive)};\n` +
      `return function block(cpu) {\nconst pc0 = sc[${SC_PC}]; let ic = sc[${SC_ICOUNT}]; const stop = sc[${SC_STOP}]; let label = 0; let x = 0; let dyn = 0;\n` +
      `${declare}main: for (;;) {\nswitch (label) {\ncase 0:\n${body}\n}\n}\n${tail}\n};`
    );
  }
}

/** One instruction of a region: its expanded encoding, its raw bits, byte offset from the region start and length. */
export interface Decoded {
  readonly inst: number;
  readonly raw: number;
  readonly delta: number;
  readonly len: number;
}

/** The instructions of a block to translate, as both translators see them. */
export interface Region {
  readonly code: readonly Decoded[];
  /** Label of each instruction (byte offset from the start) that a jump inside the region goes to; 0 is the start. */
  readonly labels: ReadonlyMap<number, number>;
  /** Whether the last instruction leaves by itself (a call or an indirect jump); otherwise the block goes on at `bytes`. */
  readonly ended: boolean;
  /** Length of the region in bytes. */
  readonly bytes: number;
}

/** The B-type immediate of a branch. */
export function branchOffset(inst: number): number {
  return ((inst >> 31) << 12) | (((inst >> 7) & 1) << 11) | (((inst >> 25) & 0x3f) << 5) | (((inst >> 8) & 0xf) << 1);
}

/** The J-type immediate of a JAL. */
export function jalOffset(inst: number): number {
  return ((inst >> 31) << 20) | (inst & 0xff000) | (((inst >> 20) & 1) << 11) | (((inst >> 21) & 0x3ff) << 1);
}

/** Byte offset from the block start that a branch or JAL at `delta` goes to, or undefined for other instructions. */
function staticTarget(inst: number, delta: number): number | undefined {
  const opcode = inst & 0x7f;
  if (opcode === 0x63) return delta + branchOffset(inst);
  if (opcode === 0x6f) return delta + jalOffset(inst);
  return undefined;
}

/** The region that starts at RAM offset `off`, or undefined when its first instruction is left to the interpreter. */
export function decodeRegion(u16: Uint16Array, off: number): Region | undefined {
  const pageEnd = (off & ~4095) + 4096;
  // Pass 1: the instructions of the region, in address order. It goes on past branches and plain
  // jumps (`j`: code after one is reached by branches inside the region), and ends after a call or
  // an indirect jump, before an instruction left to the interpreter, at the page end or at MAX_BLOCK.
  const code: Decoded[] = [];
  let at = off;
  let ended = false;
  while (code.length < MAX_BLOCK && at < pageEnd) {
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
    if (!translatable(inst)) break;
    code.push({ inst, raw: len === 2 ? parcel : inst >>> 0, delta: at - off, len });
    at += len;
    const opcode = inst & 0x7f;
    if (opcode === 0x67 || (opcode === 0x6f && ((inst >> 7) & 31) !== 0)) {
      ended = true;
      break;
    }
  }
  if (code.length === 0) return undefined;
  // Branch and jump targets that are instructions of the region become labels to go to inside it.
  const starts = new Set(code.map((c) => c.delta));
  const labels = new Map<number, number>([[0, 0]]);
  for (const c of code) {
    const target = staticTarget(c.inst, c.delta);
    if (target !== undefined && starts.has(target) && !labels.has(target)) labels.set(target, labels.size);
  }
  return { code, labels, ended, bytes: at - off };
}

/** The JavaScript function of a region at RAM offset `off` in `page`. */
function buildBlock(cpu: Cpu, page: BlockPage, off: number, region: Region): BlockFunction {
  const { code, labels, ended } = region;
  // Pass 2: the source. `ic` is the icount at the start of the current labelled section.
  const block = new BlockSource(labels, off & 4095);
  let sectionStart = 0;
  for (const [i, c] of code.entries()) {
    const label = labels.get(c.delta);
    if (label !== undefined && label !== 0) {
      block.push(`ic += ${i - sectionStart};\ncase ${label}:`);
      sectionStart = i;
    }
    const emitted = emit(block, c.inst, c.delta, c.len, i - sectionStart);
    if (emitted === undefined) throw new Error(`instruction ${c.raw.toString(16)} passed translatable() but has no translation`);
    block.push(emitted);
  }
  if (!ended) block.push(block.exit(region.bytes, code.length - sectionStart));
  // The generated source only ever contains numbers produced here from instruction fields.
  const factory = new Function(
    'xlo',
    'xhi',
    'u8',
    'i8',
    'u16',
    'i16',
    'i32',
    'loadTag',
    'loadBase',
    'storeTag',
    'storeBase',
    'helpers',
    'sc',
    'fns',
    'counts',
    `const { executeM, executeMW } = helpers;\n${block.source(code.length)}`,
  ) as (...args: unknown[]) => BlockFunction;
  return factory(cpu.xlo, cpu.xhi, cpu.u8, cpu.i8, cpu.u16, cpu.i16, cpu.i32, cpu.loadTag, cpu.loadBase, cpu.storeTag, cpu.storeBase, HELPERS, cpu.scalars, page.fns, page.counts);
}

/** The effective address of a load or store into int32 locals lo/hi, as rv64i.ts computes it. */
function address(b: BlockSource, rs1: number, imm: number): string {
  return `const s = (${b.lo(rs1)} >>> 0) + ${imm}; const lo = s | 0; const hi = (${b.hi(rs1)} + (s < 0 ? -1 : s > 4294967295 ? 1 : 0)) | 0; const idx = (lo >>> 12) & 1023; let off = -1;`;
}

/**
 * JavaScript for one instruction at byte `delta` from the block start, the `index`th of the block,
 * or undefined when the interpreter must run it. Mirrors rv64i.ts case by case; every value
 * assigned to a register local is an int32.
 */
function emit(b: BlockSource, inst: number, delta: number, len: number, index: number): string | undefined {
  const rd = (inst >> 7) & 31;
  const rs1 = (inst >> 15) & 31;
  const rs2 = (inst >> 20) & 31;
  const funct3 = (inst >> 12) & 7;
  const next = delta + len;
  const plain = (source: string): string => (rd === 0 ? '' : source);
  switch (inst & 0x7f) {
    case 0x13: {
      if (rd === 0) return funct3 === 1 || funct3 === 5 ? (validShift(inst, funct3) ? plain('') : undefined) : plain('');
      const imm = inst >> 20;
      const ih = imm >> 31;
      const a = b.lo(rs1);
      const ah = b.hi(rs1);
      switch (funct3) {
        case 0:
          if (rs1 === 0) return plain(b.set(rd, `${imm}`, `${ih}`));
          return plain(`{ const s = (${a} >>> 0) + ${imm >>> 0}; ${b.set(rd, 's | 0', `(${ah} + ${ih} + (s > 4294967295 ? 1 : 0)) | 0`)} }`);
        case 1:
          if (!validShift(inst, funct3)) return undefined;
          return plain(shiftImmediate(b, 'sll', rd, rs1, imm & 63));
        case 2:
          return plain(`{ const t = ${ah} < ${ih} || (${ah} === ${ih} && ${a} >>> 0 < ${imm >>> 0}) ? 1 : 0; ${b.set(rd, 't', '0')} }`);
        case 3:
          return plain(`{ const t = ${ah} >>> 0 < ${ih >>> 0} || (${ah} === ${ih} && ${a} >>> 0 < ${imm >>> 0}) ? 1 : 0; ${b.set(rd, 't', '0')} }`);
        case 4:
          return plain(`{ const t = ${a} ^ ${imm}; const u = ${ah} ^ ${ih}; ${b.set(rd, 't', 'u')} }`);
        case 5:
          if (!validShift(inst, funct3)) return undefined;
          return plain(shiftImmediate(b, inst >>> 26 === 0 ? 'srl' : 'sra', rd, rs1, imm & 63));
        case 6:
          return plain(`{ const t = ${a} | ${imm}; const u = ${ah} | ${ih}; ${b.set(rd, 't', 'u')} }`);
        default:
          return plain(`{ const t = ${a} & ${imm}; const u = ${ah} & ${ih}; ${b.set(rd, 't', 'u')} }`);
      }
    }
    case 0x33: {
      const funct7 = inst >>> 25;
      if (funct7 === 1) {
        if (rd === 0) return plain('');
        return plain(`executeM(cpu, ${funct3}, ${rd}, ${rs1}, ${rs2}); ${b.reload(rd)}`);
      }
      if (funct7 !== 0 && !(funct7 === 0x20 && (funct3 === 0 || funct3 === 5))) return undefined;
      if (rd === 0) return plain('');
      const [a, ah, c, ch] = [b.lo(rs1), b.hi(rs1), b.lo(rs2), b.hi(rs2)];
      switch (funct3) {
        case 0:
          if (funct7 === 0) return plain(`{ const s = (${a} >>> 0) + (${c} >>> 0); ${b.set(rd, 's | 0', `(${ah} + ${ch} + (s > 4294967295 ? 1 : 0)) | 0`)} }`);
          return plain(`{ const t = (${a} - ${c}) | 0; const u = (${ah} - ${ch} - (${a} >>> 0 < ${c} >>> 0 ? 1 : 0)) | 0; ${b.set(rd, 't', 'u')} }`);
        case 1:
          return plain(
            `{ const sh = ${c} & 63; let t = ${a}, u = ${ah}; if (sh >= 32) { u = t << (sh - 32); t = 0; } else if (sh > 0) { u = (u << sh) | (t >>> (32 - sh)); t = t << sh; } ${b.set(rd, 't', 'u')} }`,
          );
        case 2:
          return plain(`{ const t = ${ah} < ${ch} || (${ah} === ${ch} && ${a} >>> 0 < ${c} >>> 0) ? 1 : 0; ${b.set(rd, 't', '0')} }`);
        case 3:
          return plain(`{ const t = ${ah} >>> 0 < ${ch} >>> 0 || (${ah} === ${ch} && ${a} >>> 0 < ${c} >>> 0) ? 1 : 0; ${b.set(rd, 't', '0')} }`);
        case 4:
          return plain(`{ const t = ${a} ^ ${c}; const u = ${ah} ^ ${ch}; ${b.set(rd, 't', 'u')} }`);
        case 5: {
          const top = funct7 === 0 ? '0' : 'u >> 31';
          const shifted = funct7 === 0 ? '(u >>> (sh - 32)) | 0' : 'u >> (sh - 32)';
          const high = funct7 === 0 ? '(u >>> sh) | 0' : 'u >> sh';
          return plain(
            `{ const sh = ${c} & 63; let t = ${a}, u = ${ah}; if (sh >= 32) { t = ${shifted}; u = ${top}; } else if (sh > 0) { t = (t >>> sh) | (u << (32 - sh)); u = ${high}; } ${b.set(rd, 't', 'u')} }`,
          );
        }
        case 6:
          return plain(`{ const t = ${a} | ${c}; const u = ${ah} | ${ch}; ${b.set(rd, 't', 'u')} }`);
        default:
          return plain(`{ const t = ${a} & ${c}; const u = ${ah} & ${ch}; ${b.set(rd, 't', 'u')} }`);
      }
    }
    case 0x03: {
      if (funct3 === 7) return undefined;
      const align = [0, 1, 3, 7, 0, 1, 3][funct3];
      const fast = rd === 0 ? '' : loadFast(b, funct3, rd);
      const addr = address(b, rs1, inst >> 20);
      // Anything but a TLB hit (a miss, a device, a misaligned address, a fault) leaves the block
      // before this load, and the interpreter runs it.
      const slow = b.exit(delta, index, true);
      return (
        `{ ${addr} if ((hi + 2048) >>> 12 === 0 && loadTag[idx] === ((hi << 20) | (lo >>> 12))) off = loadBase[idx] + (lo & 4095);` +
        ` if (off >= 0 && (off & ${align}) === 0) { ${fast} } else { ${slow} } }`
      );
    }
    case 0x23: {
      if (funct3 > 3) return undefined;
      const imm = ((inst >> 25) << 5) | ((inst >> 7) & 31);
      const v = b.lo(rs2);
      const fast = [`u8[off] = ${v};`, `u16[off >> 1] = ${v};`, `i32[off >> 2] = ${v};`, `i32[off >> 2] = ${v}; i32[(off >> 2) + 1] = ${b.hi(rs2)};`][funct3];
      const addr = address(b, rs1, imm);
      // Likewise for stores: code pages, devices and watched pages are never in the store TLB.
      const slow = b.exit(delta, index, true);
      return (
        `{ ${addr} if ((hi + 2048) >>> 12 === 0 && storeTag[idx] === ((hi << 20) | (lo >>> 12))) off = storeBase[idx] + (lo & 4095);` +
        ` if (off >= 0 && (off & ${(1 << funct3) - 1}) === 0) { ${fast} } else { ${slow} } }`
      );
    }
    case 0x63: {
      const [a, c, ah, ch] = [b.lo(rs1), b.lo(rs2), b.hi(rs1), b.hi(rs2)];
      const less = `${ah} < ${ch} || (${ah} === ${ch} && ${a} >>> 0 < ${c} >>> 0)`;
      const below = `${ah} >>> 0 < ${ch} >>> 0 || (${ah} === ${ch} && ${a} >>> 0 < ${c} >>> 0)`;
      const condition = [`${a} === ${c} && ${ah} === ${ch}`, `${a} !== ${c} || ${ah} !== ${ch}`, '', '', less, `!(${less})`, below, `!(${below})`][funct3];
      if (condition === '') return undefined;
      const offset = branchOffset(inst);
      // A taken branch to an instruction of the block goes there (while a whole pass of the block
      // still fits before stopAt); elsewhere it leaves the block. Not taken: the block goes on.
      return `if (${condition}) { ${goTo(b, delta + offset, index)} }`;
    }
    case 0x37:
      return plain(b.set(rd, `${inst & 0xfffff000}`, `${inst >> 31}`));
    case 0x17:
      return plain(`{ const v = pc0 + ${delta} + ${inst & 0xfffff000}; ${b.set(rd, 'v | 0', 'Math.floor(v / 4294967296) | 0')} }`);
    case 0x6f: {
      const imm = jalOffset(inst);
      if (rd === 0) return goTo(b, delta + imm, index);
      const link = `{ const n = pc0 + ${next}; ${b.set(rd, 'n | 0', 'Math.floor(n / 4294967296) | 0')} }`;
      return `${link} ${b.exit(delta + imm, index + 1)}`;
    }
    case 0x67: {
      if (funct3 !== 0) return undefined;
      const imm = inst >> 20;
      const target =
        `const s = (${b.lo(rs1)} >>> 0) + ${imm >>> 0}; const h = (${b.hi(rs1)} + ${imm >> 31} + (s > 4294967295 ? 1 : 0)) | 0;` +
        ` const t = h * 4294967296 + ((s & ~1) >>> 0);`;
      const link = rd === 0 ? '' : `{ const n = pc0 + ${next}; ${b.set(rd, 'n | 0', 'Math.floor(n / 4294967296) | 0')} }`;
      return `{ ${target} ${link} dyn = t; ${b.exit(undefined, index + 1)} }`;
    }
    case 0x1b: {
      const imm = inst >> 20;
      const f7 = inst >>> 25;
      const a = b.lo(rs1);
      let v: string;
      if (funct3 === 0) v = `(${a} + ${imm}) | 0`;
      else if (funct3 === 1 && f7 === 0) v = `${a} << ${imm & 31}`;
      else if (funct3 === 5 && f7 === 0) v = `(${a} >>> ${imm & 31}) | 0`;
      else if (funct3 === 5 && f7 === 0x20) v = `${a} >> ${imm & 31}`;
      else return undefined;
      return plain(`{ const v = ${v}; ${b.set(rd, 'v', 'v >> 31')} }`);
    }
    case 0x3b: {
      const f7 = inst >>> 25;
      if (f7 === 1) {
        if (funct3 !== 0 && funct3 < 4) return undefined;
        if (rd === 0) return plain('');
        return plain(`executeMW(cpu, ${funct3}, ${rd}, ${rs1}, ${rs2}); ${b.reload(rd)}`);
      }
      const [a, c] = [b.lo(rs1), b.lo(rs2)];
      let v: string;
      if (f7 === 0 && funct3 === 0) v = `(${a} + ${c}) | 0`;
      else if (f7 === 0x20 && funct3 === 0) v = `(${a} - ${c}) | 0`;
      else if (f7 === 0 && funct3 === 1) v = `${a} << (${c} & 31)`;
      else if (f7 === 0 && funct3 === 5) v = `(${a} >>> (${c} & 31)) | 0`;
      else if (f7 === 0x20 && funct3 === 5) v = `${a} >> (${c} & 31)`;
      else return undefined;
      return plain(`{ const v = ${v}; ${b.set(rd, 'v', 'v >> 31')} }`);
    }
    default:
      // MISC-MEM, AMO, SYSTEM and everything illegal stay with the interpreter.
      return undefined;
  }
}

/** A jump to byte offset `target` from the instruction `index` of its section: inside the block or out. */
function goTo(b: BlockSource, target: number, index: number): string {
  const label = b.labelOf(target);
  const out = b.exit(target, index + 1);
  if (label === undefined) return out;
  return `if (ic + ${index + 1} + ${LENGTH_MARK} <= stop) { ic += ${index + 1}; label = ${label}; continue; } ${out}`;
}

/**
 * Whether the translators take the instruction: RV64I and M without CSRs, system instructions,
 * fences, atomics and encodings the interpreter treats as illegal. A decode of its own rather than
 * a trial `emit`, which builds source text: this runs for every instruction of every new region.
 */
export function translatable(inst: number): boolean {
  const funct3 = (inst >> 12) & 7;
  const funct7 = inst >>> 25;
  switch (inst & 0x7f) {
    case 0x13:
      return funct3 === 1 || funct3 === 5 ? validShift(inst, funct3) : true;
    case 0x33:
      return funct7 === 0 || funct7 === 1 || (funct7 === 0x20 && (funct3 === 0 || funct3 === 5));
    case 0x03:
      return funct3 !== 7;
    case 0x23:
      return funct3 <= 3;
    case 0x63:
      return funct3 !== 2 && funct3 !== 3;
    case 0x37:
    case 0x17:
    case 0x6f:
      return true;
    case 0x67:
      return funct3 === 0;
    case 0x1b:
      return funct3 === 0 || (funct3 === 1 && funct7 === 0) || (funct3 === 5 && (funct7 === 0 || funct7 === 0x20));
    case 0x3b:
      if (funct7 === 1) return funct3 === 0 || funct3 >= 4;
      return (funct7 === 0 && (funct3 === 0 || funct3 === 1 || funct3 === 5)) || (funct7 === 0x20 && (funct3 === 0 || funct3 === 5));
    default:
      return false;
  }
}

/** Whether the JavaScript translator emits code for the instruction (what `translatable` must agree with; for tests). */
export function emitsJavaScript(inst: number): boolean {
  return emit(new BlockSource(new Map(), 0), inst, 0, 4, 0) !== undefined;
}

/** SLLI/SRLI/SRAI encodings the interpreter accepts (others are illegal instructions). */
function validShift(inst: number, funct3: number): boolean {
  const f6 = inst >>> 26;
  return funct3 === 1 ? f6 === 0 : f6 === 0 || f6 === 0x10;
}

function loadFast(b: BlockSource, funct3: number, rd: number): string {
  switch (funct3) {
    case 0:
      return `{ const v = i8[off]; ${b.set(rd, 'v', 'v >> 31')} }`;
    case 1:
      return `{ const v = i16[off >> 1]; ${b.set(rd, 'v', 'v >> 31')} }`;
    case 2:
      return `{ const v = i32[off >> 2]; ${b.set(rd, 'v', 'v >> 31')} }`;
    case 3:
      return b.set(rd, 'i32[off >> 2]', 'i32[(off >> 2) + 1]');
    case 4:
      return b.set(rd, 'u8[off]', '0');
    case 5:
      return b.set(rd, 'u16[off >> 1]', '0');
    default:
      return b.set(rd, 'i32[off >> 2]', '0');
  }
}

/** A 64-bit shift by a constant amount, specialized at translation (mirrors alu.ts). */
function shiftImmediate(b: BlockSource, kind: 'sll' | 'srl' | 'sra', rd: number, rs1: number, sh: number): string {
  const [a, ah] = [b.lo(rs1), b.hi(rs1)];
  if (sh === 0) return `{ const t = ${a}; const u = ${ah}; ${b.set(rd, 't', 'u')} }`;
  if (kind === 'sll') {
    if (sh < 32) return `{ const t = ${a} << ${sh}; const u = (${ah} << ${sh}) | (${a} >>> ${32 - sh}); ${b.set(rd, 't', 'u')} }`;
    return `{ const u = ${a} << ${sh - 32}; ${b.set(rd, '0', 'u')} }`;
  }
  if (sh < 32) {
    const top = kind === 'srl' ? `(${ah} >>> ${sh}) | 0` : `${ah} >> ${sh}`;
    return `{ const t = (${a} >>> ${sh}) | (${ah} << ${32 - sh}); const u = ${top}; ${b.set(rd, 't', 'u')} }`;
  }
  if (kind === 'srl') return `{ const t = (${ah} >>> ${sh - 32}) | 0; ${b.set(rd, 't', '0')} }`;
  return `{ const t = ${ah} >> ${sh - 32}; const u = ${ah} >> 31; ${b.set(rd, 't', 'u')} }`;
}
