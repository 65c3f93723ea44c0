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

/** 'elf' when the bytes start with the ELF magic, 'raw' otherwise; an empty file is refused. */
export function detectImage(bytes: Uint8Array, name: string): ImageKind {
  if (bytes.length === 0) throw new ImageFormatError(name, 'the file is empty');
  const isElf = bytes.length >= 4 && ELF_MAGIC.every((b, i) => bytes[i] === b);
  return isElf ? 'elf' : 'raw';
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
