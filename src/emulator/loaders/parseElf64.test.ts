// Tests of the ELF64 loader and image detection, on ELF files built here byte by byte.
import { describe, expect, it } from 'vitest';
import { detectImage, readImage } from './detectImage.ts';
import { ImageFormatError } from './ImageFormatError.ts';
import { parseElf64 } from './parseElf64.ts';

interface Options {
  machine?: number;
  cls?: number;
  type?: number;
  segmentOffset?: number;
  filesz?: number;
  memsz?: number;
  withSymbols?: boolean;
}

/** A minimal RISC-V ELF64 executable: one PT_LOAD of 8 code bytes at 0x80000000 and, optionally, .symtab with tohost/fromhost. */
function makeElf(o: Options = {}): Uint8Array {
  const code = [0x13, 0x00, 0x00, 0x00, 0x6f, 0x00, 0x00, 0x00]; // nop; j .
  const strtab = [0, ...Array.from('tohost\0fromhost\0', (c) => c.charCodeAt(0))];
  const phoff = 64;
  const codeOff = phoff + 56;
  const strOff = codeOff + code.length;
  const symOff = (strOff + strtab.length + 7) & ~7;
  const symCount = 3;
  const shoff = symOff + symCount * 24;
  const shnum = o.withSymbols === false ? 0 : 3;
  const size = shoff + shnum * 64;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, o.cls ?? 2, 1, 1]);
  v.setUint16(16, o.type ?? 2, true);
  v.setUint16(18, o.machine ?? 243, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(24, 0x8000_0000n, true);
  v.setBigUint64(32, BigInt(phoff), true);
  v.setBigUint64(40, shnum ? BigInt(shoff) : 0n, true);
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, 1, true);
  v.setUint16(58, 64, true);
  v.setUint16(60, shnum, true);
  // Program header
  v.setUint32(phoff, 1, true);
  v.setUint32(phoff + 4, 5, true);
  v.setBigUint64(phoff + 8, BigInt(o.segmentOffset ?? codeOff), true);
  v.setBigUint64(phoff + 16, 0x8000_0000n, true);
  v.setBigUint64(phoff + 24, 0x8000_0000n, true);
  v.setBigUint64(phoff + 32, BigInt(o.filesz ?? code.length), true);
  v.setBigUint64(phoff + 40, BigInt(o.memsz ?? 0x1000), true);
  b.set(code, codeOff);
  b.set(strtab, strOff);
  // Symbols: null, tohost @ 0x80001000, fromhost @ 0x80001040
  v.setUint32(symOff + 24, 1, true);
  v.setBigUint64(symOff + 24 + 8, 0x8000_1000n, true);
  v.setUint32(symOff + 48, 8, true);
  v.setBigUint64(symOff + 48 + 8, 0x8000_1040n, true);
  if (shnum) {
    // Section 1: .symtab (link 2), section 2: .strtab
    const sh1 = shoff + 64;
    v.setUint32(sh1 + 4, 2, true);
    v.setBigUint64(sh1 + 24, BigInt(symOff), true);
    v.setBigUint64(sh1 + 32, BigInt(symCount * 24), true);
    v.setUint32(sh1 + 40, 2, true);
    const sh2 = shoff + 128;
    v.setUint32(sh2 + 4, 3, true);
    v.setBigUint64(sh2 + 24, BigInt(strOff), true);
    v.setBigUint64(sh2 + 32, BigInt(strtab.length), true);
  }
  return b;
}

function problemOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ImageFormatError) return e.message;
    throw e;
  }
  throw new Error('expected an ImageFormatError');
}

describe('parseElf64', () => {
  it('reads the entry, the PT_LOAD segment and the HTIF symbols', () => {
    const elf = parseElf64(makeElf(), 'tiny.elf');
    expect(elf.entry).toBe(0x8000_0000n);
    expect(elf.segments).toHaveLength(1);
    expect(elf.segments[0].paddr).toBe(0x8000_0000);
    expect(elf.segments[0].memsz).toBe(0x1000);
    expect(Array.from(elf.segments[0].data)).toEqual([0x13, 0, 0, 0, 0x6f, 0, 0, 0]);
    expect(elf.symbol('tohost')).toBe(0x8000_1000n);
    expect(elf.symbol('fromhost')).toBe(0x8000_1040n);
    expect(elf.symbol('missing')).toBeUndefined();
  });

  it('loads a stripped file with no symbols', () => {
    expect(parseElf64(makeElf({ withSymbols: false }), 'stripped.elf').symbols.size).toBe(0);
  });

  it('refuses an empty file', () => {
    expect(problemOf(() => parseElf64(new Uint8Array(0), 'empty.elf'))).toBe("Cannot load 'empty.elf': the file is empty.");
  });

  it('refuses a truncated header', () => {
    expect(problemOf(() => parseElf64(makeElf().slice(0, 20), 'cut.elf'))).toMatch(/'cut\.elf': truncated ELF header \(20 bytes/);
  });

  it('refuses a 32-bit file', () => {
    expect(problemOf(() => parseElf64(makeElf({ cls: 1 }), 'rv32.elf'))).toMatch(/'rv32\.elf': not 64-bit/);
  });

  it('refuses a file for another machine', () => {
    expect(problemOf(() => parseElf64(makeElf({ machine: 62 }), 'x86.elf'))).toMatch(/not RISC-V \(ELF machine 62, x86-64\)/);
  });

  it('refuses a relocatable object', () => {
    expect(problemOf(() => parseElf64(makeElf({ type: 1 }), 'a.o'))).toMatch(/relocatable object/);
  });

  it('refuses a segment beyond the end of the file', () => {
    expect(problemOf(() => parseElf64(makeElf({ filesz: 0x10000 }), 'big.elf'))).toMatch(/segment 0 .* extends beyond the file end/);
  });

  it('refuses a file cut inside its program headers', () => {
    expect(problemOf(() => parseElf64(makeElf().slice(0, 80), 'short.elf'))).toMatch(/program headers end at 120, beyond the file end/);
  });

  it('refuses a file cut inside its section headers', () => {
    const whole = makeElf();
    expect(problemOf(() => parseElf64(whole.slice(0, whole.length - 10), 'sh.elf'))).toMatch(/section headers end at/);
  });

  it('refuses a segment with more file bytes than memory bytes', () => {
    expect(problemOf(() => parseElf64(makeElf({ memsz: 4 }), 'odd.elf'))).toMatch(/more file bytes \(8\) than memory bytes \(4\)/);
  });

  it('refuses bytes without the ELF magic', () => {
    expect(problemOf(() => parseElf64(new Uint8Array([1, 2, 3, 4, 5]), 'junk'))).toMatch(/not an ELF file/);
  });
});

describe('detectImage', () => {
  it('tells ELF from raw by the magic', () => {
    expect(detectImage(makeElf(), 'a.elf')).toBe('elf');
    expect(detectImage(new Uint8Array([0x97, 0x02, 0, 0]), 'fw.bin')).toBe('raw');
  });

  it('refuses an empty file', () => {
    expect(() => detectImage(new Uint8Array(0), 'none.bin')).toThrow(ImageFormatError);
    expect(problemOf(() => detectImage(new Uint8Array(0), 'none.bin'))).toBe("Cannot load 'none.bin': the file is empty.");
  });

  it('refuses files that are recognisably another format', () => {
    expect(problemOf(() => detectImage(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), 'fw.bin.gz'))).toBe("Cannot load 'fw.bin.gz': it is a gzip archive; unpack it first.");
    expect(problemOf(() => detectImage(new Uint8Array([0x27, 0x05, 0x19, 0x56, 0, 0]), 'uImage'))).toMatch(/U-Boot legacy uImage/);
    expect(problemOf(() => detectImage(new Uint8Array([0xd0, 0x0d, 0xfe, 0xed, 0, 0]), 'virt.dtb'))).toMatch(/device tree blob/);
    expect(problemOf(() => detectImage(new Uint8Array([0x4d, 0x5a, 0x90, 0]), 'setup.exe'))).toMatch(/DOS\/Windows executable/);
  });

  it('refuses a text file', () => {
    const text = Uint8Array.from('This is a README, not a firmware image.\nSecond line of text.\n', (c) => c.charCodeAt(0));
    expect(problemOf(() => detectImage(text, 'README'))).toBe("Cannot load 'README': it is a text file, not a machine image.");
  });

  it('accepts raw code whose first bytes are not text', () => {
    // auipc t0,0 / addi a0,zero,0 / ... as OpenSBI's fw_jump.bin starts
    const code = new Uint8Array(64).fill(0);
    code.set([0x97, 0x02, 0x00, 0x00, 0x13, 0x05, 0x00, 0x00]);
    expect(detectImage(code, 'fw_jump.bin')).toBe('raw');
  });

  it('reads a raw image as one segment at the given base', () => {
    const image = readImage(new Uint8Array([1, 2, 3]), 'payload.bin', 0x8020_0000);
    expect(image.kind).toBe('raw');
    expect(image.entry).toBe(0x8020_0000n);
    expect(image.segments).toEqual([{ paddr: 0x8020_0000, vaddr: 0x8020_0000n, data: new Uint8Array([1, 2, 3]), memsz: 3, flags: 7 }]);
  });

  it('reads an ELF image with its symbols', () => {
    const image = readImage(makeElf(), 'a.elf');
    expect(image.kind).toBe('elf');
    expect(image.symbols.get('tohost')).toBe(0x8000_1000n);
  });

  it('refuses a truncated ELF even though its magic is right', () => {
    expect(() => readImage(makeElf().slice(0, 40), 'cut.elf')).toThrow(/truncated ELF header/);
  });
});
