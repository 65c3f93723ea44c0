// Block translation into WebAssembly: the same regions as the JavaScript translator (blocks.ts),
// with the same exits at the same icounts, compiled to one module per batch of blocks.
//
// Why WebAssembly (measured, see ARCHITECTURE.md): a JavaScript block function runs in the
// engine's slowest tiers until it has run often enough to be optimized, and every block is a
// function of its own, so code that is warm rather than hot (a firmware boot, the first second of
// any program) ran translated at a few MIPS. A WebAssembly function is compiled to machine code
// when its module is built, needs no type feedback, never deoptimizes, and holds each guest
// register in one 64-bit local instead of two 32-bit halves.
//
// The hart's registers, pc/icount/stopAt, its TLBs and the chain table live in the same
// WebAssembly.Memory as RAM (ram.ts, Cpu.ts), above it: RAM offsets are memory addresses, and
// every module imports that memory. A block loads the registers it uses into locals at entry and
// stores the ones it writes when it leaves; it calls nothing but the module's pure MULHU helper, so
// no one can see the hart between.
import type { Cpu } from './Cpu.ts';
import { CHAIN_ENTRIES, CHAIN_SHIFT, SC_ARRIVE, SC_ICOUNT, SC_PC, SC_STOP, STATE_CHAIN, STATE_FETCH_BASE, STATE_FETCH_TAG, STATE_LOAD_BASE, STATE_LOAD_TAG, STATE_SCALARS, STATE_STORE_BASE, STATE_STORE_TAG, STATE_XHI, STATE_XLO, TLB_SIZE } from './Cpu.ts';
import { branchOffset, jalOffset, type Region } from './blocks.ts';
import { wasmHost, type WasmTable } from '../wasmHost.ts';

// Value types and opcodes used here (WebAssembly core specification, binary format).
const I32 = 0x7f;
const I64 = 0x7e;
const F64 = 0x7c;
const VOID = 0x40;

const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brTable: 0x0e,
  return: 0x0f,
  brIf: 0x0d,
  call: 0x10,
  callIndirect: 0x11,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f64Load: 0x2b,
  i64Load: 0x29,
  i64Load8S: 0x30,
  i64Load8U: 0x31,
  i64Load16S: 0x32,
  i64Load16U: 0x33,
  i64Load32S: 0x34,
  i64Load32U: 0x35,
  i64Store: 0x37,
  i32Store: 0x36,
  f64Store: 0x39,
  i64Store8: 0x3c,
  i64Store16: 0x3d,
  i64Store32: 0x3e,
  i32Const: 0x41,
  i64Const: 0x42,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32GeS: 0x4e,
  i64Eqz: 0x50,
  i64Eq: 0x51,
  i64Ne: 0x52,
  i64LtS: 0x53,
  i64LtU: 0x54,
  i64GeS: 0x59,
  i64GeU: 0x5a,
  f64Le: 0x65,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32DivS: 0x6d,
  i32DivU: 0x6e,
  i32RemS: 0x6f,
  i32RemU: 0x70,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64DivS: 0x7f,
  i64DivU: 0x80,
  i64RemS: 0x81,
  i64RemU: 0x82,
  i64And: 0x83,
  i64Or: 0x84,
  i64Xor: 0x85,
  i64Shl: 0x86,
  i64ShrS: 0x87,
  i64ShrU: 0x88,
  f64Add: 0xa0,
  i32WrapI64: 0xa7,
  i64ExtendI32S: 0xac,
  i64ExtendI32U: 0xad,
  i64TruncF64S: 0xb0,
  f64ConvertI32S: 0xb7,
  f64ConvertI64S: 0xb9,
} as const;

/** A growing byte buffer (module bytes are built without arrays of numbers: this runs per block). */
class Bytes {
  buf = new Uint8Array(512);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }

  push(b: number): void {
    if (this.length === this.buf.length) this.room(1);
    this.buf[this.length++] = b;
  }

  append(src: Bytes): void {
    this.room(src.length);
    this.buf.set(src.buf.subarray(0, src.length), this.length);
    this.length += src.length;
  }

  list(values: readonly number[]): void {
    for (const v of values) this.push(v);
  }

  bytes(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.length);
  }
}

function uleb(out: Bytes, value: number): void {
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

/** Signed LEB128 of an integer within ±2^53 or of -2^63 (the constants blocks use). */
function sleb(out: Bytes, value: number): void {
  if (value === -(2 ** 63)) {
    for (let i = 0; i < 9; i++) out.push(0x80);
    out.push(0x7f);
    return;
  }
  if (!Number.isSafeInteger(value)) throw new RangeError(`no exact i64 constant for ${value}`);
  let v = value;
  for (;;) {
    // The low 7 bits as a two's complement value would have them, and v shifted right by 7 (floor).
    const byte = ((v % 128) + 128) % 128;
    v = (v - byte) / 128;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/** Signed LEB128 of an int32 (fast path of sleb). */
function sleb32(out: Bytes, value: number): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

const f64Bytes = new Uint8Array(8);
const f64View = new DataView(f64Bytes.buffer);

/** Code of one function body, with the open control structures tracked for branch depths. */
class Body {
  readonly code = new Bytes();

  /** Empties the body for reuse (the translator keeps a few: buffers are costly to allocate). */
  reset(): this {
    this.code.length = 0;
    this.open.length = 0;
    return this;
  }
  /** Open structures, innermost last; names are for branch targets. */
  private readonly open: string[] = [];

  op(a: number, b?: number, c?: number): this {
    this.code.push(a);
    if (b !== undefined) this.code.push(b);
    if (c !== undefined) this.code.push(c);
    return this;
  }

  i32(v: number): this {
    this.code.push(OP.i32Const);
    sleb32(this.code, v);
    return this;
  }

  i64(v: number): this {
    this.code.push(OP.i64Const);
    if (v === (v | 0)) sleb32(this.code, v);
    else sleb(this.code, v);
    return this;
  }

  f64(v: number): this {
    this.code.push(OP.f64Const);
    f64View.setFloat64(0, v, true);
    for (const b of f64Bytes) this.code.push(b);
    return this;
  }

  private local(opcode: number, index: number): this {
    this.code.push(opcode);
    uleb(this.code, index);
    return this;
  }

  get(local: number): this {
    return this.local(OP.localGet, local);
  }

  set(local: number): this {
    return this.local(OP.localSet, local);
  }

  tee(local: number): this {
    return this.local(OP.localTee, local);
  }

  /** A load or store with alignment hint log2 `align` and constant `offset`. */
  mem(opcode: number, align: number, offset: number): this {
    this.code.push(opcode);
    this.code.push(align);
    uleb(this.code, offset);
    return this;
  }

  begin(opcode: number, name: string, type: number = VOID): this {
    this.code.push(opcode);
    this.code.push(type);
    this.open.push(name);
    return this;
  }

  else(): this {
    this.code.push(OP.else);
    return this;
  }

  end(): this {
    this.code.push(OP.end);
    this.open.pop();
    return this;
  }

  depth(name: string): number {
    const i = this.open.lastIndexOf(name);
    if (i < 0) throw new Error(`no open structure ${name}`);
    return this.open.length - 1 - i;
  }

  br(name: string): this {
    this.code.push(OP.br);
    uleb(this.code, this.depth(name));
    return this;
  }

  brTable(names: readonly string[], fallback: string): this {
    this.code.push(OP.brTable);
    uleb(this.code, names.length);
    for (const n of names) uleb(this.code, this.depth(n));
    uleb(this.code, this.depth(fallback));
    return this;
  }
}

// Locals of a block function (the function has no parameters).
const L_PC0 = 0; // f64: pc at entry
const L_IC = 1; // f64: icount at the start of the current labelled section
const L_STOP = 2; // f64: stopAt
const L_NIC = 3; // f64: icount as the block leaves
const L_LABEL = 4; // i32: section to run after a jump inside the block
const L_LO = 5; // i32: low half of an address
const L_HI = 6; // i32: high half of an address
const L_OFF = 7; // i32: RAM offset of an access, or -1
const L_NEXT = 8; // i32: how the block leaves (NEXT_*), or the RAM offset it leaves to on its own page
const L_XD = 9; // i32: the pc it leaves to, as an offset from pc0 (DYNAMIC: the target in L_ADDR)
const L_XK = 10; // i32: the icount it leaves at, as an offset from L_IC
const L_ADDR = 11; // i64: an effective address or a jump target
const L_T = 12; // i64 scratch
const L_U = 13; // i64 scratch
const L_PCI = 14; // i64: pc at entry as an integer
const L_REG = 15; // i64: first guest register local; register r (1..31) is L_REG + r - 1
const LOCAL_GROUPS: readonly [number, number][] = [
  [4, F64],
  [7, I32],
  [4, I64],
  [31, I64],
];
/** L_NEXT: left before an instruction for the interpreter (no block follows at once). */
const NEXT_SLOW = -1;
/** L_NEXT: left by a jump to another page; the fetch TLB tells where it is in RAM. */
const NEXT_LOOKUP = -2;
/** L_XD of an indirect jump. */
const DYNAMIC = 0x7fffffff;

/** Function index of the shared MULHU helper in every module (the blocks follow it). */
const FN_MULHU = 0;

/** Builds the source of one block function into `b`. */
class BlockWriter {
  private readonly written = new Set<number>();
  private readonly used = new Set<number>();
  private readonly names: string[];

  /**
   * @param off the region's RAM offset
   * @param state byte offset of the hart's state area in memory
   */
  constructor(
    readonly b: Body,
    readonly region: Region,
    private readonly off: number,
    private readonly state: number,
  ) {
    this.names = [...region.labels.keys()].map((_, i) => `L${i}`);
  }

  private reg(r: number): void {
    if (r === 0) this.b.i64(0);
    else {
      this.used.add(r);
      this.b.get(L_REG + r - 1);
    }
  }

  /** Stores the value on the stack into rd (dropped for x0). */
  private put(rd: number): void {
    if (rd === 0) {
      this.b.set(L_T);
      return;
    }
    this.used.add(rd);
    this.written.add(rd);
    this.b.set(L_REG + rd - 1);
  }

  /**
   * Leaves the block for pc0 + `target` (undefined: the jump target in L_ADDR) at icount ic + k:
   * by a jump or branch (`arrive`), or before the instruction at `target`, which the interpreter
   * then runs. The shared tail (`build`) stores pc and icount and finds the block to run next.
   */
  private exit(target: number | undefined, k: number, arrive: 0 | 1): void {
    const b = this.b;
    const start = this.off & 4095;
    b.i32(target === undefined ? DYNAMIC : target).set(L_XD);
    b.i32(k).set(L_XK);
    let next = NEXT_LOOKUP;
    if (arrive === 0) next = NEXT_SLOW;
    else if (target !== undefined && start + target >= 0 && start + target < 4096) next = this.off + target;
    b.i32(next).set(L_NEXT);
    b.br('exit');
  }

  /** A jump to byte offset `target` from the block start by the instruction `index` of its section. */
  private goTo(target: number, index: number): void {
    const label = this.region.labels.get(target);
    const b = this.b;
    if (label !== undefined) {
      // Inside the block while a whole pass of it still fits before stopAt.
      b.get(L_IC)
        .f64(index + 1 + this.region.code.length)
        .op(OP.f64Add)
        .get(L_STOP)
        .op(OP.f64Le)
        .begin(OP.if, 'fits');
      b.get(L_IC)
        .f64(index + 1)
        .op(OP.f64Add)
        .set(L_IC)
        .i32(label)
        .set(L_LABEL)
        .br('top')
        .end();
    }
    this.exit(target, index + 1, 1);
  }

  /** The link value pc0 + offset into rd. */
  private link(rd: number, offset: number): void {
    if (rd === 0) return;
    this.b.get(L_PCI).i64(offset).op(OP.i64Add);
    this.put(rd);
  }

  /**
   * The RAM offset of an access at rs1 + imm through the TLB at `tag`/`base` into L_OFF, aligned as
   * `alignMask` says; anything else leaves the block before this instruction (the interpreter runs it).
   */
  private access(rs1: number, imm: number, tag: number, base: number, alignMask: number, delta: number, index: number): void {
    const b = this.b;
    this.reg(rs1);
    b.i64(imm).op(OP.i64Add).tee(L_ADDR).op(OP.i32WrapI64).set(L_LO);
    b.get(L_ADDR).i64(32).op(OP.i64ShrU).op(OP.i32WrapI64).set(L_HI);
    b.i32(-1).set(L_OFF);
    // (hi + 2048) >>> 12 === 0 && tag[idx] === ((hi << 20) | (lo >>> 12)), idx = (lo >>> 12) & (TLB_SIZE - 1)
    b.get(L_HI).i32(2048).op(OP.i32Add).i32(12).op(OP.i32ShrU).op(OP.i32Eqz).begin(OP.if, 'range');
    // Byte offset of the TLB entry: idx * 4.
    const entry = () => b.get(L_LO).i32(12).op(OP.i32ShrU).i32(TLB_SIZE - 1).op(OP.i32And).i32(2).op(OP.i32Shl);
    b.get(L_HI).i32(20).op(OP.i32Shl).get(L_LO).i32(12).op(OP.i32ShrU).op(OP.i32Or);
    entry();
    b.mem(OP.i32Load, 2, this.state + tag).op(OP.i32Eq).begin(OP.if, 'hit');
    entry();
    b.mem(OP.i32Load, 2, this.state + base).get(L_LO).i32(4095).op(OP.i32And).op(OP.i32Add).set(L_OFF);
    b.end().end();
    // off >= 0 && (off & alignMask) === 0, else leave.
    b.get(L_OFF).i32(0).op(OP.i32GeS);
    if (alignMask !== 0) b.get(L_OFF).i32(alignMask).op(OP.i32And).op(OP.i32Eqz).op(OP.i32And);
    b.op(OP.i32Eqz).begin(OP.if, 'slow');
    this.exit(delta, index, 0);
    b.end();
  }

  /** Emits one instruction; false when it has no translation (the caller checked translatable() first). */
  instruction(inst: number, delta: number, len: number, index: number): boolean {
    const b = this.b;
    const rd = (inst >> 7) & 31;
    const rs1 = (inst >> 15) & 31;
    const rs2 = (inst >> 20) & 31;
    const funct3 = (inst >> 12) & 7;
    const funct7 = inst >>> 25;
    switch (inst & 0x7f) {
      case 0x13: {
        const imm = inst >> 20;
        if (rd === 0) return true;
        this.reg(rs1);
        switch (funct3) {
          case 0:
            b.i64(imm).op(OP.i64Add);
            break;
          case 1:
            b.i64((inst >> 20) & 63).op(OP.i64Shl);
            break;
          case 2:
            b.i64(imm).op(OP.i64LtS, OP.i64ExtendI32U);
            break;
          case 3:
            b.i64(imm).op(OP.i64LtU, OP.i64ExtendI32U);
            break;
          case 4:
            b.i64(imm).op(OP.i64Xor);
            break;
          case 5:
            b.i64((inst >> 20) & 63).op(inst >>> 26 === 0 ? OP.i64ShrU : OP.i64ShrS);
            break;
          case 6:
            b.i64(imm).op(OP.i64Or);
            break;
          default:
            b.i64(imm).op(OP.i64And);
        }
        this.put(rd);
        return true;
      }
      case 0x33: {
        if (rd === 0) return true;
        this.reg(rs1);
        this.reg(rs2);
        if (funct7 === 1) this.mulDiv(funct3);
        else {
          const ops = [funct7 === 0 ? OP.i64Add : OP.i64Sub, OP.i64Shl, -1, -2, OP.i64Xor, funct7 === 0 ? OP.i64ShrU : OP.i64ShrS, OP.i64Or, OP.i64And];
          const o = ops[funct3];
          if (o === -1) b.op(OP.i64LtS, OP.i64ExtendI32U);
          else if (o === -2) b.op(OP.i64LtU, OP.i64ExtendI32U);
          else b.op(o);
        }
        this.put(rd);
        return true;
      }
      case 0x1b:
      case 0x3b: {
        // OP-IMM-32 and OP-32: 32-bit operations whose result is sign-extended.
        if (rd === 0) return true;
        const immediate = (inst & 0x7f) === 0x1b;
        this.reg(rs1);
        b.op(OP.i32WrapI64);
        if (immediate) b.i32(funct3 === 0 ? inst >> 20 : (inst >> 20) & 31);
        else {
          this.reg(rs2);
          b.op(OP.i32WrapI64);
        }
        if (!immediate && funct7 === 1) this.mulDivWord(funct3);
        else if (funct3 === 0) b.op(immediate || funct7 === 0 ? OP.i32Add : OP.i32Sub);
        else if (funct3 === 1) b.op(OP.i32Shl);
        else b.op(funct7 === 0 ? OP.i32ShrU : OP.i32ShrS);
        b.op(OP.i64ExtendI32S);
        this.put(rd);
        return true;
      }
      case 0x37:
        if (rd === 0) return true;
        b.i64(inst & 0xfffff000);
        this.put(rd);
        return true;
      case 0x17:
        if (rd === 0) return true;
        this.link(rd, delta + (inst & 0xfffff000));
        return true;
      case 0x03: {
        const align = [0, 1, 3, 7, 0, 1, 3][funct3];
        this.access(rs1, inst >> 20, STATE_LOAD_TAG, STATE_LOAD_BASE, align, delta, index);
        if (rd === 0) return true;
        const ops = [OP.i64Load8S, OP.i64Load16S, OP.i64Load32S, OP.i64Load, OP.i64Load8U, OP.i64Load16U, OP.i64Load32U];
        const log2 = [0, 1, 2, 3, 0, 1, 2][funct3];
        b.get(L_OFF).mem(ops[funct3], log2, 0);
        this.put(rd);
        return true;
      }
      case 0x23: {
        const imm = ((inst >> 25) << 5) | ((inst >> 7) & 31);
        this.access(rs1, imm, STATE_STORE_TAG, STATE_STORE_BASE, (1 << funct3) - 1, delta, index);
        b.get(L_OFF);
        this.reg(rs2);
        b.mem([OP.i64Store8, OP.i64Store16, OP.i64Store32, OP.i64Store][funct3], funct3, 0);
        return true;
      }
      case 0x63: {
        this.reg(rs1);
        this.reg(rs2);
        b.op([OP.i64Eq, OP.i64Ne, 0, 0, OP.i64LtS, OP.i64GeS, OP.i64LtU, OP.i64GeU][funct3]).begin(OP.if, 'taken');
        this.goTo(delta + branchOffset(inst), index);
        b.end();
        return true;
      }
      case 0x6f: {
        const target = delta + jalOffset(inst);
        if (rd === 0) {
          this.goTo(target, index);
          return true;
        }
        this.link(rd, delta + len);
        this.exit(target, index + 1, 1);
        return true;
      }
      case 0x67: {
        // The target first: rd may be rs1.
        this.reg(rs1);
        b.i64(inst >> 20)
          .op(OP.i64Add)
          .i64(-2)
          .op(OP.i64And)
          .set(L_ADDR);
        this.link(rd, delta + len);
        this.exit(undefined, index + 1, 1);
        return true;
      }
      default:
        return false;
    }
  }

  /** MUL..REMU on the two i64 operands on the stack (RISC-V results for division by zero and overflow). */
  private mulDiv(funct3: number): void {
    const b = this.b;
    switch (funct3) {
      case 0:
        b.op(OP.i64Mul);
        return;
      case 3:
        b.op(OP.call, FN_MULHU);
        return;
      case 1:
      case 2: {
        // mulh(a, b) = mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0); mulhsu drops the last term.
        b.set(L_U).set(L_T);
        b.get(L_T).get(L_U).op(OP.call, FN_MULHU);
        b.get(L_U).get(L_T).i64(63).op(OP.i64ShrS).op(OP.i64And).op(OP.i64Sub);
        if (funct3 === 1) b.get(L_T).get(L_U).i64(63).op(OP.i64ShrS).op(OP.i64And).op(OP.i64Sub);
        return;
      }
      default: {
        const signed = funct3 === 4 || funct3 === 6;
        const rem = funct3 >= 6;
        b.set(L_U).set(L_T);
        b.get(L_U).op(OP.i64Eqz).begin(OP.if, 'zero', I64);
        if (rem) b.get(L_T);
        else b.i64(-1);
        b.else();
        if (signed) {
          // Overflow: MIN / -1 = MIN, MIN % -1 = 0 (the engine traps on the former).
          b.get(L_T)
            .i64(-(2 ** 63))
            .op(OP.i64Eq)
            .get(L_U)
            .i64(-1)
            .op(OP.i64Eq)
            .op(OP.i32And)
            .begin(OP.if, 'overflow', I64);
          if (rem) b.i64(0);
          else b.get(L_T);
          b.else()
            .get(L_T)
            .get(L_U)
            .op(rem ? OP.i64RemS : OP.i64DivS)
            .end();
        } else b.get(L_T).get(L_U).op(rem ? OP.i64RemU : OP.i64DivU);
        b.end();
      }
    }
  }

  /** MULW..REMUW on the two i32 operands on the stack; leaves an i32. */
  private mulDivWord(funct3: number): void {
    const b = this.b;
    if (funct3 === 0) {
      b.op(OP.i32Mul);
      return;
    }
    const signed = funct3 === 4 || funct3 === 6;
    const rem = funct3 >= 6;
    b.op(OP.i64ExtendI32S).set(L_U).op(OP.i64ExtendI32S).set(L_T);
    // The i32 halves back from the i64 scratch locals.
    const t = () => b.get(L_T).op(OP.i32WrapI64);
    const u = () => b.get(L_U).op(OP.i32WrapI64);
    u();
    b.op(OP.i32Eqz).begin(OP.if, 'zero', I32);
    if (rem) t();
    else b.i32(-1);
    b.else();
    if (signed) {
      t();
      b.i32(-2147483648).op(OP.i32Eq);
      u();
      b.i32(-1).op(OP.i32Eq).op(OP.i32And).begin(OP.if, 'overflow', I32);
      if (rem) b.i32(0);
      else t();
      b.else();
      t();
      u();
      b.op(rem ? OP.i32RemS : OP.i32DivS).end();
    } else {
      t();
      u();
      b.op(rem ? OP.i32RemU : OP.i32DivU);
    }
    b.end();
  }

  /** Appends the whole function body (size first, as the code section wants it) to `code`. */
  build(code: Bytes): void {
    const region = this.region;
    const b = this.b;
    // Sections are written first and wrapped afterwards: the registers used are known only then.
    // Each label's section follows the end of a block of its own, nested in address order, so a
    // jump inside the block is `br top` with the label set, and br_table goes on from there.
    b.begin(OP.block, 'exit');
    b.begin(OP.loop, 'top');
    const byAddress = [...region.labels.entries()].sort((x, y) => x[0] - y[0]);
    for (let p = byAddress.length - 1; p >= 0; p--) b.begin(OP.block, `L${byAddress[p][1]}`);
    if (byAddress.length > 1) b.get(L_LABEL).brTable(this.names, 'L0');
    b.end();
    let sectionStart = 0;
    for (const [i, c] of region.code.entries()) {
      const label = region.labels.get(c.delta);
      if (label !== undefined && label !== 0) {
        // Falling through into the next section: its icount base moves on.
        b.get(L_IC)
          .f64(i - sectionStart)
          .op(OP.f64Add)
          .set(L_IC)
          .end();
        sectionStart = i;
      }
      if (!this.instruction(c.inst, c.delta, c.len, i - sectionStart)) throw new Error(`instruction ${c.raw.toString(16)} has no WebAssembly translation`);
    }
    if (!region.ended) this.exit(region.bytes, region.code.length - sectionStart, 1);
    b.end().end();
    // Entry: pc, icount, stopAt and the registers the block uses.
    const entry = SCRATCH_ENTRY.reset();
    const s = this.state + STATE_SCALARS;
    entry.i32(0).mem(OP.f64Load, 3, s + 8 * SC_PC).set(L_PC0);
    entry.i32(0).mem(OP.f64Load, 3, s + 8 * SC_ICOUNT).set(L_IC);
    entry.i32(0).mem(OP.f64Load, 3, s + 8 * SC_STOP).set(L_STOP);
    entry.get(L_PC0).op(OP.i64TruncF64S).set(L_PCI);
    for (const r of [...this.used].sort((x, y) => x - y)) {
      entry
        .i32(0)
        .mem(OP.i64Load32U, 2, this.state + STATE_XLO + 4 * r)
        .i32(0)
        .mem(OP.i64Load32S, 2, this.state + STATE_XHI + 4 * r)
        .i64(32)
        .op(OP.i64Shl)
        .op(OP.i64Or)
        .set(L_REG + r - 1);
    }
    // Tail: the registers written go back to the hart.
    const tail = SCRATCH_TAIL.reset();
    for (const r of [...this.written].sort((x, y) => x - y)) {
      tail
        .i32(0)
        .get(L_REG + r - 1)
        .op(OP.i32WrapI64)
        .mem(OP.i32Store, 2, this.state + STATE_XLO + 4 * r);
      tail
        .i32(0)
        .get(L_REG + r - 1)
        .i64(32)
        .op(OP.i64ShrU)
        .op(OP.i32WrapI64)
        .mem(OP.i32Store, 2, this.state + STATE_XHI + 4 * r);
    }
    // pc, icount and how it left.
    const sc = this.state + STATE_SCALARS;
    tail.i32(0);
    tail.get(L_XD).i32(DYNAMIC).op(OP.i32Eq).begin(OP.if, 'dyn', F64);
    tail.get(L_ADDR).op(OP.f64ConvertI64S).else().get(L_PC0).get(L_XD).op(OP.f64ConvertI32S).op(OP.f64Add).end();
    tail.mem(OP.f64Store, 3, sc + 8 * SC_PC);
    tail.i32(0).get(L_IC).get(L_XK).op(OP.f64ConvertI32S).op(OP.f64Add).tee(L_NIC).mem(OP.f64Store, 3, sc + 8 * SC_ICOUNT);
    tail.i32(0).get(L_NEXT).i32(NEXT_SLOW).op(OP.i32Ne).op(OP.f64ConvertI32S).mem(OP.f64Store, 3, sc + 8 * SC_ARRIVE);
    // A jump to another page: its RAM offset through the fetch TLB, as the interpreter finds it
    // (a miss: no block follows at once). vpn = target >> 12 within ±2^31, tag vpn, index vpn & mask.
    tail.get(L_NEXT).i32(NEXT_LOOKUP).op(OP.i32Eq).begin(OP.if, 'lookup');
    tail.i32(NEXT_SLOW).set(L_NEXT);
    tail.get(L_XD).i32(DYNAMIC).op(OP.i32Eq).begin(OP.if, 'dyn', I64);
    tail.get(L_ADDR).else().get(L_PCI).get(L_XD).op(OP.i64ExtendI32S).op(OP.i64Add).end();
    tail.tee(L_ADDR).i64(12).op(OP.i64ShrS).tee(L_T);
    tail.i64(-(2 ** 31)).op(OP.i64GeS).get(L_T).i64(2 ** 31 - 1).op(OP.i64LtS).op(OP.i32And).begin(OP.if, 'range');
    const tlbAt = () => tail.get(L_T).op(OP.i32WrapI64).i32(TLB_SIZE - 1).op(OP.i32And).i32(2).op(OP.i32Shl);
    tlbAt();
    tail.mem(OP.i32Load, 2, this.state + STATE_FETCH_TAG).get(L_T).op(OP.i32WrapI64).op(OP.i32Eq).begin(OP.if, 'hit');
    tlbAt();
    tail.mem(OP.i32Load, 2, this.state + STATE_FETCH_BASE).get(L_ADDR).op(OP.i32WrapI64).i32(4095).op(OP.i32And).op(OP.i32Add).set(L_NEXT);
    tail.end().end().end();
    // The block to run next, if there is one there and it fits before stopAt: its chain entry
    // (CHAIN_* in Cpu.ts) holds its RAM offset, table index and length.
    tail.get(L_NEXT).i32(0).op(OP.i32GeS).begin(OP.if, 'chain');
    const chainAt = () =>
      tail
        .get(L_NEXT)
        .i32(1)
        .op(OP.i32ShrU)
        .get(L_NEXT)
        .i32(CHAIN_SHIFT)
        .op(OP.i32ShrU)
        .op(OP.i32Xor)
        .i32(CHAIN_ENTRIES - 1)
        .op(OP.i32And)
        .i32(12)
        .op(OP.i32Mul);
    chainAt();
    tail.mem(OP.i32Load, 2, this.state + STATE_CHAIN).get(L_NEXT).op(OP.i32Eq).begin(OP.if, 'found');
    tail.get(L_NIC);
    chainAt();
    tail.mem(OP.i32Load, 2, this.state + STATE_CHAIN + 8).op(OP.f64ConvertI32S).op(OP.f64Add).get(L_STOP).op(OP.f64Le).begin(OP.if, 'fits');
    chainAt();
    tail.mem(OP.i32Load, 2, this.state + STATE_CHAIN + 4).op(OP.return);
    tail.end().end().end();
    tail.i32(-1);
    const locals = SCRATCH_LOCALS;
    locals.length = 0;
    uleb(locals, LOCAL_GROUPS.length);
    for (const [count, type] of LOCAL_GROUPS) {
      uleb(locals, count);
      locals.push(type);
    }
    uleb(code, locals.length + entry.code.length + b.code.length + tail.code.length + 1);
    code.append(locals);
    code.append(entry.code);
    code.append(b.code);
    code.append(tail.code);
    code.push(OP.end);
  }
}

// Scratch buffers of the translator, reused from block to block.
const SCRATCH_BODY = new Body();
const SCRATCH_ENTRY = new Body();
const SCRATCH_TAIL = new Body();
const SCRATCH_LOCALS = new Bytes();

/** The MULHU helper's body, built once: every module starts with the same one. */
let MULHU_BODY: Bytes | undefined;

/** The body of the MULHU helper: (a: i64, b: i64) -> high 64 bits of the unsigned 128-bit product. */
function mulhuBody(): Bytes {
  const b = new Body();
  // Locals 0, 1: a, b; 2..5: a0, a1, b0, b1 (32-bit halves as i64); 6: p1; 7: p2; 8: mid.
  const half = (src: number, low: number, high: number) => {
    b.get(src).i64(0xffffffff).op(OP.i64And).set(low);
    b.get(src).i64(32).op(OP.i64ShrU).set(high);
  };
  half(0, 2, 3);
  half(1, 4, 5);
  b.get(2).get(5).op(OP.i64Mul).set(6); // a0 * b1
  b.get(3).get(4).op(OP.i64Mul).set(7); // a1 * b0
  // mid = (a0 * b0 >>> 32) + (p1 & mask) + (p2 & mask)
  b.get(2).get(4).op(OP.i64Mul).i64(32).op(OP.i64ShrU);
  b.get(6).i64(0xffffffff).op(OP.i64And).op(OP.i64Add);
  b.get(7).i64(0xffffffff).op(OP.i64And).op(OP.i64Add).set(8);
  // high = a1 * b1 + (p1 >>> 32) + (p2 >>> 32) + (mid >>> 32)
  b.get(3).get(5).op(OP.i64Mul);
  b.get(6).i64(32).op(OP.i64ShrU).op(OP.i64Add);
  b.get(7).i64(32).op(OP.i64ShrU).op(OP.i64Add);
  b.get(8).i64(32).op(OP.i64ShrU).op(OP.i64Add);
  const out = new Bytes();
  out.list([1, 7, I64]);
  out.append(b.code);
  out.push(OP.end);
  return out;
}

function section(out: Bytes, id: number, body: Bytes | readonly number[]): void {
  out.push(id);
  uleb(out, body.length);
  if (body instanceof Bytes) out.append(body);
  else out.list(body);
}

function name(out: Bytes, text: string): void {
  uleb(out, text.length);
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
}

/** The bytes of a module holding the blocks of `regions` as exports b0, b1, …. */
export function moduleBytes(regions: readonly Region[], offsets: readonly number[], state: number): Uint8Array<ArrayBuffer> {
  const out = new Bytes();
  out.list(MAGIC);
  // Types: 0 = () -> i32 (a block: the table index of the block to run next, or -1), 1 = (i64, i64) -> i64.
  section(out, 1, [2, 0x60, 0, 1, I32, 0x60, 2, I64, I64, 1, I64]);
  const imports = new Bytes();
  imports.push(1);
  name(imports, 'm');
  name(imports, 'mem');
  imports.list([0x02, 0x00, 0x00]); // memory, no maximum, at least 0 pages
  section(out, 2, imports);
  const functions = new Bytes();
  uleb(functions, regions.length + 1);
  functions.push(1);
  for (let i = 0; i < regions.length; i++) functions.push(0);
  section(out, 3, functions);
  const exports = new Bytes();
  uleb(exports, regions.length);
  for (let i = 0; i < regions.length; i++) {
    name(exports, `b${i}`);
    exports.push(0x00);
    uleb(exports, i + 1);
  }
  section(out, 7, exports);
  const code = new Bytes();
  uleb(code, regions.length + 1);
  const helper = (MULHU_BODY ??= mulhuBody());
  uleb(code, helper.length);
  code.append(helper);
  for (const [i, region] of regions.entries()) {
    new BlockWriter(SCRATCH_BODY.reset(), region, offsets[i], state).build(code);
  }
  section(out, 10, code);
  return out.bytes();
}

/** The WebAssembly binary header: magic and version 1. */
const MAGIC = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/**
 * Compiles `regions` at RAM offsets `offsets` for `cpu`, whose RAM must be WebAssembly memory: one
 * function per region, and the module, which `instantiateWasmBlocks` can give another machine.
 */
export function compileWasmBlocks(cpu: Cpu, regions: readonly Region[], offsets: readonly number[]): { module: object; fns: WasmFunction[] } {
  if (cpu.ram.memory === undefined || wasmHost === undefined) throw new Error('this machine’s RAM is not WebAssembly memory');
  const module = new wasmHost.Module(moduleBytes(regions, offsets, cpu.ram.stateOffset));
  return { module, fns: instantiateWasmBlocks(cpu, module, regions.length) };
}

/**
 * The `count` block functions of a compiled module, bound to `cpu`'s memory. A module depends only
 * on its regions, their RAM offsets and where the state area lies (the RAM size): any machine with
 * the same bytes at those offsets and the same RAM size can run it. Instances of one module share
 * its compiled code, the engine's optimized tier included.
 */
export function instantiateWasmBlocks(cpu: Cpu, module: object, count: number): WasmFunction[] {
  const memory = cpu.ram.memory;
  if (memory === undefined || wasmHost === undefined) throw new Error('this machine’s RAM is not WebAssembly memory');
  const instance = new wasmHost.Instance(module, { m: { mem: memory } });
  const fns: WasmFunction[] = [];
  for (let i = 0; i < count; i++) fns.push(instance.exports[`b${i}`] as WasmFunction);
  return fns;
}

/** A compiled block as the host sees it (what goes into the table). */
export type WasmFunction = () => number;

/**
 * The dispatcher of WebAssembly blocks: run(i) calls the block at table index i, then the block it
 * names, and so on, until one names none (-1). Each step is an indirect call inside WebAssembly:
 * far cheaper than returning to JavaScript between blocks.
 */
export function wasmTrampoline(table: WasmTable): (index: number) => void {
  if (wasmHost === undefined) throw new Error('no WebAssembly on this host');
  // One module for every machine of this realm: its instances share the engine's compiled and
  // optimized code, so a new machine's dispatcher does not warm up again.
  trampolineModule ??= new wasmHost.Module(trampolineBytes());
  const instance = new wasmHost.Instance(trampolineModule, { m: { t: table } });
  return instance.exports.run as (index: number) => void;
}

let trampolineModule: object | undefined;

/** The dispatcher's module: imports the table, exports run(index). */
function trampolineBytes(): Uint8Array<ArrayBuffer> {
  const out = new Bytes();
  out.list(MAGIC);
  section(out, 1, [2, 0x60, 0, 1, I32, 0x60, 1, I32, 0]);
  const imports = new Bytes();
  imports.push(1);
  name(imports, 'm');
  name(imports, 't');
  imports.list([0x01, 0x70, 0x00, 0x00]); // table of funcref, at least 0 entries
  section(out, 2, imports);
  section(out, 3, [1, 1]);
  const exports = new Bytes();
  exports.push(1);
  name(exports, 'run');
  exports.list([0x00, 0x00]);
  section(out, 7, exports);
  const b = new Body();
  b.begin(OP.loop, 'again').get(0).op(OP.callIndirect, 0, 0).tee(0).i32(0).op(OP.i32GeS).op(OP.brIf, 0).end();
  const body = new Bytes();
  body.push(0);
  body.append(b.code);
  body.push(OP.end);
  const code = new Bytes();
  code.push(1);
  uleb(code, body.length);
  code.append(body);
  section(out, 10, code);
  return out.bytes();
}
