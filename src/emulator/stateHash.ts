// State hash: a 64-bit digest of CPU, CSRs, devices and RAM, with RAM hashed incrementally per 4 KiB page.
import type { Ram } from './ram.ts';

const PAGE_WORDS = 1024;

function mix(h: number, w: number, k: number): number {
  h = Math.imul(h ^ w, k);
  return (h << 13) | (h >>> 19);
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Two independent 32-bit lanes over a run of int32 words. */
function hashWords(words: ArrayLike<number>, start: number, end: number, seed: number): [number, number] {
  let a = seed ^ 0x2545f491;
  let b = seed ^ 0x6a09e667;
  for (let i = start; i < end; i++) {
    const w = words[i] | 0;
    a = mix(a, w, 0x9e3779b1);
    b = mix(b, w ^ i, 0x27d4eb2f);
  }
  return [finish(a), finish(b)];
}

export class StateHasher {
  /** Cached (lane a, lane b) per page, valid where ram.stale is 0. */
  private readonly pageHashes: Uint32Array;

  constructor(private readonly ram: Ram) {
    this.pageHashes = new Uint32Array((ram.size / 4096) * 2);
  }

  /** Rehashes stale pages and returns the digest of RAM; the caller must re-arm write tracking (store TLB flush). */
  ramDigest(): [number, number] {
    const { ram, pageHashes } = this;
    const pages = ram.size / 4096;
    let a = 0x811c9dc5;
    let b = 0x1000193;
    for (let p = 0; p < pages; p++) {
      if (ram.touched[p] === 0) continue;
      if (ram.stale[p] === 1) {
        const [ha, hb] = hashWords(ram.i32, p * PAGE_WORDS, (p + 1) * PAGE_WORDS, p);
        pageHashes[2 * p] = ha;
        pageHashes[2 * p + 1] = hb;
        ram.stale[p] = 0;
      }
      a = mix(a, pageHashes[2 * p] ^ p, 0x9e3779b1);
      b = mix(b, pageHashes[2 * p + 1] + p, 0x27d4eb2f);
    }
    return [finish(a), finish(b)];
  }
}

/**
 * Digest of a list of state words combined with a RAM digest, as 16 hex digits. The words are the
 * concatenation of `parts`, read in place: building one array of them (the CSR file alone is 8,192
 * words) took most of a head checkpoint's time.
 */
export function combineDigest(parts: readonly ArrayLike<number>[], ram: [number, number]): string {
  const seed = ram[0] ^ ram[1];
  // hashWords over the concatenation, with i its running index.
  let a = seed ^ 0x2545f491;
  let b = seed ^ 0x6a09e667;
  let i = 0;
  for (const words of parts) {
    for (let j = 0; j < words.length; j++, i++) {
      const w = words[j] | 0;
      a = mix(a, w, 0x9e3779b1);
      b = mix(b, w ^ i, 0x27d4eb2f);
    }
  }
  const ha = finish(finish(a) ^ ram[0]);
  const hb = finish(finish(b) ^ ram[1]);
  return ha.toString(16).padStart(8, '0') + hb.toString(16).padStart(8, '0');
}
