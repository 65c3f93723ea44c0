// Checkpoints and content-addressed pages in IndexedDB: one readwrite transaction per checkpoint, pages keyed by hash.
import type { IDBPDatabase } from 'idb';
import { QuotaError } from '../domain/index.ts';
import { byPosition, infoOf, missingCheckpoint, missingPage, unpackPageMap, type CheckpointInfo, type CheckpointRecord, type CheckpointStore } from './CheckpointStore.ts';
import type { PlaygroundDb } from './schema.ts';

type Db = IDBPDatabase<PlaygroundDb>;

/** All ids of one VM sort between these two keys. */
function vmRange(vmId: string): IDBKeyRange {
  return IDBKeyRange.bound([vmId, ''], [vmId, '\uffff']);
}

export class IndexedDbCheckpointStore implements CheckpointStore {
  constructor(private readonly db: Db) {}

  async put(record: CheckpointRecord, pages: ReadonlyMap<string, Uint8Array>): Promise<void> {
    const tx = this.db.transaction(['checkpoints', 'pages'], 'readwrite');
    try {
      const pageStore = tx.objectStore('pages');
      // put, not add: the same content under the same key is the same record, written or not.
      const writes: Promise<unknown>[] = [...pages].map(([hash, bytes]) => pageStore.put({ hash, bytes }));
      writes.push(tx.objectStore('checkpoints').put(record));
      await Promise.all(writes);
      await tx.done;
    } catch (error) {
      try {
        tx.abort();
      } catch {
        // Already aborted by the failing request.
      }
      const name = error instanceof DOMException || error instanceof Error ? error.name : '';
      if (name === 'QuotaExceededError') {
        throw new QuotaError(`Storage is full: a checkpoint of VM '${record.vmId}' could not be saved. Events are unaffected.`, 'Free space by exporting and deleting VMs you no longer need.');
      }
      throw error;
    }
  }

  async list(vmId: string): Promise<CheckpointInfo[]> {
    const records = await this.db.getAll('checkpoints', vmRange(vmId));
    return records.map(infoOf).sort(byPosition);
  }

  async get(vmId: string, id: string): Promise<CheckpointRecord> {
    const found = await this.db.get('checkpoints', [vmId, id]);
    if (!found) throw missingCheckpoint(vmId, id);
    return found;
  }

  async getPages(hashes: readonly string[]): Promise<Map<string, Uint8Array>> {
    const tx = this.db.transaction('pages', 'readonly');
    const records = await Promise.all(hashes.map((h) => tx.store.get(h)));
    await tx.done;
    const out = new Map<string, Uint8Array>();
    records.forEach((r, i) => {
      if (!r) throw missingPage(hashes[i]);
      out.set(r.hash, r.bytes);
    });
    return out;
  }

  async delete(vmId: string, ids: readonly string[]): Promise<void> {
    const tx = this.db.transaction('checkpoints', 'readwrite');
    await Promise.all([...ids.map((id) => tx.store.delete([vmId, id])), tx.done]);
  }

  async deleteVm(vmId: string): Promise<void> {
    const tx = this.db.transaction('checkpoints', 'readwrite');
    await Promise.all([tx.store.delete(vmRange(vmId)), tx.done]);
  }

  async sweep(keep: ReadonlySet<string> = new Set()): Promise<number> {
    // One transaction over both stores, so no checkpoint can land between the reading and the deleting.
    const tx = this.db.transaction(['checkpoints', 'pages'], 'readwrite');
    const used = new Set(keep);
    let cursor = await tx.objectStore('checkpoints').openCursor();
    while (cursor) {
      for (const h of unpackPageMap(cursor.value.pageMap).values()) used.add(h);
      cursor = await cursor.continue();
    }
    const pages = tx.objectStore('pages');
    const stale = (await pages.getAllKeys()).filter((h) => !used.has(h));
    await Promise.all([...stale.map((h) => pages.delete(h)), tx.done]);
    return stale.length;
  }

  async pageStats(): Promise<{ pages: number; bytes: number }> {
    const tx = this.db.transaction('pages', 'readonly');
    let pages = 0;
    let bytes = 0;
    let cursor = await tx.store.openCursor();
    while (cursor) {
      pages++;
      bytes += cursor.value.bytes.length;
      cursor = await cursor.continue();
    }
    await tx.done;
    return { pages, bytes };
  }
}
