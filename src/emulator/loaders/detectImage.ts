// Tells ELF images from raw binaries by their magic, and turns either into loadable segments.
import { RAM_BASE } from '../layout.ts';
import { ImageFormatError } from './ImageFormatError.ts';
import { parseElf64, type ElfSegment } from './parseElf64.ts';

export type ImageKind = 'elf' | 'raw';

/** An image ready to copy into memory. */
export interface LoadableImage {
  readonly kind: ImageKind;
  /** Where execution starts (the ELF entry, or the load address of a raw binary). */
  readonly entry: bigint;
  readonly segments: readonly ElfSegment[];
  /** Symbol values (ELF only; empty for raw binaries). */
  readonly symbols: ReadonlyMap<string, bigint>;
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/** Magic numbers of formats that are certainly not a RISC-V program, with what to call them. */
const FOREIGN: ReadonlyArray<{ readonly magic: readonly number[]; readonly what: string }> = [
  { magic: [0x1f, 0x8b], what: 'a gzip archive; unpack it first' },
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive; unpack it first' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: 'a zstd archive; unpack it first' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'an xz archive; unpack it first' },
  { magic: [0x27, 0x05, 0x19, 0x56], what: 'a U-Boot legacy uImage; load the raw image it wraps' },
  { magic: [0xd0, 0x0d, 0xfe, 0xed], what: 'a device tree blob, not a program' },
  { magic: [0x4d, 0x5a], what: 'a DOS/Windows executable' },
  { magic: [0xcf, 0xfa, 0xed, 0xfe], what: 'a Mach-O executable' },
  { magic: [0x23, 0x21], what: 'a script (#!), not a machine image' },
  { magic: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { magic: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
];

/** True when the first bytes are all printable ASCII or whitespace: a text file, not code. */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 64);
  if (head.length < 16) return false;
  return head.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d);
}

/**
 * 'elf' when the bytes start with the ELF magic, 'raw' otherwise. Refuses an empty file and files
 * that are recognisably something else (archives, other executables, text, a device tree).
 */
export function detectImage(bytes: Uint8Array, name: string): ImageKind {
  if (bytes.length === 0) throw new ImageFormatError(name, 'the file is empty');
  if (bytes.length >= 4 && ELF_MAGIC.every((b, i) => bytes[i] === b)) return 'elf';
  const foreign = FOREIGN.find((f) => bytes.length >= f.magic.length && f.magic.every((b, i) => bytes[i] === b));
  if (foreign) throw new ImageFormatError(name, `it is ${foreign.what}`);
  if (looksLikeText(bytes)) throw new ImageFormatError(name, 'it is a text file, not a machine image');
  return 'raw';
}

/** Reads an ELF64 or raw image; a raw image becomes one segment at `rawBase`. */
export function readImage(bytes: Uint8Array, name: string, rawBase: number = RAM_BASE): LoadableImage {
  const kind = detectImage(bytes, name);
  switch (kind) {
    case 'elf': {
      const elf = parseElf64(bytes, name);
      return { kind, entry: elf.entry, segments: elf.segments, symbols: elf.symbols };
    }
    case 'raw':
      return {
        kind,
        entry: BigInt(rawBase),
        segments: [{ paddr: rawBase, vaddr: BigInt(rawBase), data: bytes, memsz: bytes.length, flags: 0b111 }],
        symbols: new Map(),
      };
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown image kind ${String(unreachable)}`);
    }
  }
}
