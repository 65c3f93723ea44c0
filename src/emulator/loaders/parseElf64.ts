// ELF64 little-endian RISC-V executables: entry, PT_LOAD segments and the symbol table (System V gABI, ELF-64 Object File Format 1.5).
import { ImageFormatError } from './ImageFormatError.ts';

/** One PT_LOAD segment: `data` (p_filesz bytes) goes to `paddr`, the rest up to `memsz` is zero. */
export interface ElfSegment {
  /** Physical load address (p_paddr), where the bytes are placed in this machine. */
  readonly paddr: number;
  readonly vaddr: bigint;
  readonly data: Uint8Array;
  readonly memsz: number;
  /** p_flags: bit 0 execute, bit 1 write, bit 2 read. */
  readonly flags: number;
}

export interface ElfImage {
  readonly entry: bigint;
  readonly segments: readonly ElfSegment[];
  /** Values of named symbols from .symtab (empty when the file is stripped). */
  readonly symbols: ReadonlyMap<string, bigint>;
  /** The value of a symbol, such as the HTIF `tohost`/`fromhost`, or undefined. */
  symbol(name: string): bigint | undefined;
}

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ET_EXEC = 2;
const ET_DYN = 3;
const EM_RISCV = 243;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const SYM_SIZE = 24;

const MACHINES: Record<number, string> = { 3: 'x86', 40: 'ARM', 62: 'x86-64', 183: 'AArch64', 8: 'MIPS', 21: 'PowerPC64' };

/** Parses an ELF64 RISC-V executable; refuses anything else with an ImageFormatError naming `name`. */
export function parseElf64(bytes: Uint8Array, name: string): ElfImage {
  const fail = (problem: string): never => {
    throw new ImageFormatError(name, problem);
  };
  if (bytes.length === 0) fail('the file is empty');
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    fail('not an ELF file (no \\x7fELF magic)');
  }
  if (bytes.length < EHDR_SIZE) fail(`truncated ELF header (${bytes.length} bytes, an ELF64 header needs ${EHDR_SIZE})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[4] !== ELFCLASS64) fail(bytes[4] === 1 ? 'not 64-bit (a 32-bit ELF file)' : `not 64-bit (ELF class ${bytes[4]})`);
  if (bytes[5] !== ELFDATA2LSB) fail('not little-endian');
  const type = view.getUint16(16, true);
  const machine = view.getUint16(18, true);
  if (machine !== EM_RISCV) fail(`not RISC-V (ELF machine ${machine}${MACHINES[machine] ? `, ${MACHINES[machine]}` : ''})`);
  if (type !== ET_EXEC && type !== ET_DYN) fail(type === 1 ? 'a relocatable object, not a linked executable' : `not an executable (ELF type ${type})`);

  const u64 = (off: number): bigint => view.getBigUint64(off, true);
  const offset = (off: number, what: string): number => {
    const v = u64(off);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} is out of range`);
    return Number(v);
  };
  const entry = u64(24);
  const phoff = offset(32, 'program header offset');
  const shoff = offset(40, 'section header offset');
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  const shentsize = view.getUint16(58, true);
  const shnum = view.getUint16(60, true);

  if (phnum === 0) fail('no program headers, nothing to load');
  if (phentsize !== PHDR_SIZE) fail(`program header entry size is ${phentsize}, expected ${PHDR_SIZE}`);
  if (phoff + phnum * PHDR_SIZE > bytes.length) fail(`truncated: program headers end at ${phoff + phnum * PHDR_SIZE}, beyond the file end (${bytes.length} bytes)`);

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * PHDR_SIZE;
    if (view.getUint32(ph, true) !== PT_LOAD) continue;
    const flags = view.getUint32(ph + 4, true);
    const fileOffset = offset(ph + 8, `segment ${i} offset`);
    const vaddr = u64(ph + 16);
    const paddr = offset(ph + 24, `segment ${i} physical address`);
    const filesz = offset(ph + 32, `segment ${i} file size`);
    const memsz = offset(ph + 40, `segment ${i} memory size`);
    if (fileOffset + filesz > bytes.length) {
      fail(`segment ${i} (0x${fileOffset.toString(16)}+0x${filesz.toString(16)}) extends beyond the file end (${bytes.length} bytes); the file is truncated`);
    }
    if (filesz > memsz) fail(`segment ${i} has more file bytes (${filesz}) than memory bytes (${memsz})`);
    if (memsz === 0) continue;
    segments.push({ paddr, vaddr, data: bytes.subarray(fileOffset, fileOffset + filesz), memsz, flags });
  }
  if (segments.length === 0) fail('no PT_LOAD segments, nothing to load');

  const symbols = readSymbols(bytes, view, shoff, shentsize, shnum, fail);
  return { entry, segments, symbols, symbol: (sym) => symbols.get(sym) };
}

function readSymbols(
  bytes: Uint8Array,
  view: DataView,
  shoff: number,
  shentsize: number,
  shnum: number,
  fail: (problem: string) => never,
): Map<string, bigint> {
  const symbols = new Map<string, bigint>();
  if (shoff === 0 || shnum === 0) return symbols;
  if (shentsize !== SHDR_SIZE) fail(`section header entry size is ${shentsize}, expected ${SHDR_SIZE}`);
  if (shoff + shnum * SHDR_SIZE > bytes.length) fail(`truncated: section headers end at ${shoff + shnum * SHDR_SIZE}, beyond the file end (${bytes.length} bytes)`);
  const section = (i: number) => {
    const sh = shoff + i * SHDR_SIZE;
    return {
      type: view.getUint32(sh + 4, true),
      offset: Number(view.getBigUint64(sh + 24, true)),
      size: Number(view.getBigUint64(sh + 32, true)),
      link: view.getUint32(sh + 40, true),
    };
  };
  for (let i = 0; i < shnum; i++) {
    const symtab = section(i);
    if (symtab.type !== SHT_SYMTAB) continue;
    if (symtab.link >= shnum) fail(`symbol table's string table index ${symtab.link} is out of range`);
    const strtab = section(symtab.link);
    if (symtab.offset + symtab.size > bytes.length) fail('symbol table extends beyond the file end; the file is truncated');
    if (strtab.offset + strtab.size > bytes.length) fail('string table extends beyond the file end; the file is truncated');
    for (let s = symtab.offset; s + SYM_SIZE <= symtab.offset + symtab.size; s += SYM_SIZE) {
      const nameOff = view.getUint32(s, true);
      if (nameOff === 0 || nameOff >= strtab.size) continue;
      let end = strtab.offset + nameOff;
      let symName = '';
      while (end < strtab.offset + strtab.size && bytes[end] !== 0) symName += String.fromCharCode(bytes[end++]);
      // The first definition wins, so a global is not shadowed by a later local of the same name.
      if (!symbols.has(symName)) symbols.set(symName, view.getBigUint64(s + 8, true));
    }
  }
  return symbols;
}
