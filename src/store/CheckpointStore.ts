// Persisted checkpoints of VMs and the content-addressed 4 KiB memory pages they reference.
import { CorruptError, NotFoundError } from '../domain/index.ts';

/** Bytes of a page-map entry: the page index (u32, little-endian) then the first 16 bytes of its SHA-256. */
const ENTRY_BYTES = 20;
const HASH_BYTES = 16;

/**
 * A checkpoint as stored: where in the stream it is, the machine state other than RAM (encoded by
 * the runtime, opaque here) and the page map of its RAM (every page ever written, by content hash).
 */
export interface CheckpointRecord {
  readonly vmId: string;
  readonly id: string;
  /** The last event already applied at this point: replay from here applies causes with a higher seq. */
  readonly seq: number;
  readonly icount: number;
  /** The machine's state hash here, compared by verify. */
  readonly stateHash: string;
  readonly state: Uint8Array;
  /** Packed entries of ENTRY_BYTES: page index, then page hash (see packPageMap). */
  readonly pageMap: Uint8Array;
  readonly createdAt: number;
}

/** What a checkpoint list shows without its state. */
export interface CheckpointInfo {
  readonly id: string;
  readonly seq: number;
  readonly icount: number;
  readonly stateHash: string;
  readonly pages: number;
}

export interface CheckpointStore {
  /**
   * Stores a checkpoint and the pages it introduces, in one transaction. `pages` holds the pages
   * the caller hashed since its previous checkpoint; the others of its map are already stored.
   */
  put(record: CheckpointRecord, pages: ReadonlyMap<string, Uint8Array>): Promise<void>;
  /** Stores several checkpoints and the pages they introduce, in one transaction. */
  putAll(records: readonly CheckpointRecord[], pages: ReadonlyMap<string, Uint8Array>): Promise<void>;
  /** The VM's checkpoints in icount order (then seq). */
  list(vmId: string): Promise<CheckpointInfo[]>;
  /** NotFound when the checkpoint is gone (thinned by another tab). */
  get(vmId: string, id: string): Promise<CheckpointRecord>;
  /** The bytes of each page; Corrupt when one is missing. */
  getPages(hashes: readonly string[]): Promise<Map<string, Uint8Array>>;
  /**
   * A checkpoint and the bytes of the pages of its map that `cached` says the caller lacks, read
   * together (one IndexedDB transaction: each one a worker opens waits its turn behind the writes).
   */
  getWithPages(vmId: string, id: string, cached: (hash: string) => boolean): Promise<{ record: CheckpointRecord; pages: Map<string, Uint8Array> }>;
  delete(vmId: string, ids: readonly string[]): Promise<void>;
  deleteVm(vmId: string): Promise<void>;
  /**
   * Deletes the pages no checkpoint of any VM references, except `keep` (pages a checkpoint in
   * the making relies on); returns how many went.
   */
  sweep(keep?: ReadonlySet<string>): Promise<number>;
  /** Pages stored and their bytes (for tests and the storage figure). */
  pageStats(): Promise<{ pages: number; bytes: number }>;
}

/** The distinct page hashes of a checkpoint's map that `cached` says are not at hand. */
export function missingFrom(record: CheckpointRecord, cached: (hash: string) => boolean): string[] {
  return [...new Set(unpackPageMap(record.pageMap).values())].filter((h) => !cached(h));
}

export function infoOf(r: CheckpointRecord): CheckpointInfo {
  return { id: r.id, seq: r.seq, icount: r.icount, stateHash: r.stateHash, pages: r.pageMap.length / ENTRY_BYTES };
}

export function byPosition(a: CheckpointInfo, b: CheckpointInfo): number {
  return a.icount - b.icount || a.seq - b.seq;
}

/** Content hash of a page: the first 128 bits of its SHA-256, as 32 hex digits. */
export async function pageHash(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (let i = 0; i < HASH_BYTES; i++) hex += HEX[digest[i]];
  return hex;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Packs a page map (index → hash) in index order. */
export function packPageMap(map: ReadonlyMap<number, string>): Uint8Array {
  const indexes = [...map.keys()].sort((a, b) => a - b);
  const out = new Uint8Array(indexes.length * ENTRY_BYTES);
  const view = new DataView(out.buffer);
  indexes.forEach((index, i) => {
    const at = i * ENTRY_BYTES;
    view.setUint32(at, index, true);
    const hash = map.get(index)!;
    for (let b = 0; b < HASH_BYTES; b++) out[at + 4 + b] = parseInt(hash.slice(2 * b, 2 * b + 2), 16);
  });
  return out;
}

export function unpackPageMap(packed: Uint8Array): Map<number, string> {
  if (packed.length % ENTRY_BYTES !== 0) throw new CorruptError(`A checkpoint's page map has ${packed.length} bytes, not a multiple of ${ENTRY_BYTES}.`);
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const map = new Map<number, string>();
  for (let at = 0; at < packed.length; at += ENTRY_BYTES) {
    let hash = '';
    for (let b = 0; b < HASH_BYTES; b++) hash += HEX[packed[at + 4 + b]];
    map.set(view.getUint32(at, true), hash);
  }
  return map;
}

/** The distinct page hashes a packed map references. */
export function pageHashesOf(packed: Uint8Array): Set<string> {
  return new Set(unpackPageMap(packed).values());
}

export function missingCheckpoint(vmId: string, id: string): NotFoundError {
  return new NotFoundError(`VM '${vmId}' has no checkpoint '${id}' any more.`);
}

export function missingPage(hash: string): CorruptError {
  return new CorruptError(`The memory page ${hash} a checkpoint refers to is not stored.`, 'The checkpoint is unusable; travel falls back to an earlier one.');
}

/** Checkpoints and pages in maps, for Node and tests. */
export class InMemoryCheckpointStore implements CheckpointStore {
  private readonly checkpoints = new Map<string, Map<string, CheckpointRecord>>();
  private readonly pages = new Map<string, Uint8Array>();

  put(record: CheckpointRecord, pages: ReadonlyMap<string, Uint8Array>): Promise<void> {
    return this.putAll([record], pages);
  }

  async putAll(records: readonly CheckpointRecord[], pages: ReadonlyMap<string, Uint8Array>): Promise<void> {
    for (const [hash, bytes] of pages) if (!this.pages.has(hash)) this.pages.set(hash, bytes.slice());
    for (const record of records) {
      let vm = this.checkpoints.get(record.vmId);
      if (!vm) this.checkpoints.set(record.vmId, (vm = new Map()));
      vm.set(record.id, { ...record, state: record.state.slice(), pageMap: record.pageMap.slice() });
    }
  }

  async list(vmId: string): Promise<CheckpointInfo[]> {
    return [...(this.checkpoints.get(vmId)?.values() ?? [])].map(infoOf).sort(byPosition);
  }

  async get(vmId: string, id: string): Promise<CheckpointRecord> {
    const found = this.checkpoints.get(vmId)?.get(id);
    if (!found) throw missingCheckpoint(vmId, id);
    return found;
  }

  async getWithPages(vmId: string, id: string, cached: (hash: string) => boolean): Promise<{ record: CheckpointRecord; pages: Map<string, Uint8Array> }> {
    const record = await this.get(vmId, id);
    return { record, pages: await this.getPages(missingFrom(record, cached)) };
  }

  async getPages(hashes: readonly string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (const hash of hashes) {
      const bytes = this.pages.get(hash);
      if (!bytes) throw missingPage(hash);
      out.set(hash, bytes);
    }
    return out;
  }

  async delete(vmId: string, ids: readonly string[]): Promise<void> {
    const vm = this.checkpoints.get(vmId);
    for (const id of ids) vm?.delete(id);
  }

  async deleteVm(vmId: string): Promise<void> {
    this.checkpoints.delete(vmId);
  }

  async sweep(keep: ReadonlySet<string> = new Set()): Promise<number> {
    const used = new Set(keep);
    for (const vm of this.checkpoints.values()) for (const r of vm.values()) for (const h of unpackPageMap(r.pageMap).values()) used.add(h);
    let removed = 0;
    for (const hash of [...this.pages.keys()]) {
      if (!used.has(hash)) {
        this.pages.delete(hash);
        removed++;
      }
    }
    return removed;
  }

  async pageStats(): Promise<{ pages: number; bytes: number }> {
    let bytes = 0;
    for (const p of this.pages.values()) bytes += p.length;
    return { pages: this.pages.size, bytes };
  }
}
