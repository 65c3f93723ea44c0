// Boot images stored once, by content (sha256), so VMs and their exports can refer to them by hash.
import type { IDBPDatabase } from 'idb';
import { NotFoundError } from '../domain/index.ts';
import type { BootImageRecord, PlaygroundDb } from './schema.ts';

export interface ImageStore {
  /** Stores the bytes unless the same content is there already; returns the record. */
  put(name: string, bytes: Uint8Array, now: number): Promise<BootImageRecord>;
  /** The image with this hash; NotFound when this store has never seen it. */
  get(sha256: string): Promise<BootImageRecord>;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function missing(sha256: string): NotFoundError {
  return new NotFoundError(`No boot image with sha256 ${sha256.slice(0, 12)}… is stored in this browser.`, 'Create the VM again from its image files.');
}

export class InMemoryImageStore implements ImageStore {
  private readonly images = new Map<string, BootImageRecord>();

  async put(name: string, bytes: Uint8Array, now: number): Promise<BootImageRecord> {
    const sha256 = await sha256Hex(bytes);
    const existing = this.images.get(sha256);
    if (existing) return existing;
    const record: BootImageRecord = { sha256, name, size: bytes.length, bytes: bytes.slice(), addedAt: now };
    this.images.set(sha256, record);
    return record;
  }

  async get(sha256: string): Promise<BootImageRecord> {
    const found = this.images.get(sha256);
    if (!found) throw missing(sha256);
    return found;
  }
}

export class IndexedDbImageStore implements ImageStore {
  constructor(private readonly db: IDBPDatabase<PlaygroundDb>) {}

  async put(name: string, bytes: Uint8Array, now: number): Promise<BootImageRecord> {
    const sha256 = await sha256Hex(bytes);
    const tx = this.db.transaction('bootImages', 'readwrite');
    const existing = await tx.store.get(sha256);
    const record: BootImageRecord = existing ?? { sha256, name, size: bytes.length, bytes: bytes.slice(), addedAt: now };
    if (!existing) await tx.store.add(record);
    await tx.done;
    return record;
  }

  async get(sha256: string): Promise<BootImageRecord> {
    const found = await this.db.get('bootImages', sha256);
    if (!found) throw missing(sha256);
    return found;
  }
}
