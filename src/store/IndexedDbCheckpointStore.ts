// Checkpoints and content-addressed pages in IndexedDB: one readwrite transaction per batch of checkpoints, pages keyed by hash.
import { unwrap, type IDBPDatabase } from 'idb';
import { QuotaError } from '../domain/index.ts';
import { byPosition, infoOf, missingCheckpoint, missingFrom, missingPage, unpackPageMap, type CheckpointInfo, type CheckpointRecord, type CheckpointStore } from './CheckpointStore.ts';
import type { CheckpointDataRecord, CheckpointMetaRecord, PlaygroundDb } from './schema.ts';

type Db = IDBPDatabase<PlaygroundDb>;

/** All ids of one VM sort between these two keys. */
function vmRange(vmId: string): IDBKeyRange {
  return IDBKeyRange.bound([vmId, ''], [vmId, '\uffff']);
}

/** A checkpoint record from its two parts (metadata, and the bulky state and page map). */
function recordOf(meta: CheckpointMetaRecord, data: CheckpointDataRecord): CheckpointRecord {
  return { vmId: meta.vmId, id: meta.id, seq: meta.seq, icount: meta.icount, stateHash: meta.stateHash, createdAt: meta.createdAt, state: data.state, pageMap: data.pageMap };
}

/** Page bytes by hash from the records read for `hashes`; Corrupt when one is missing. */
function pagesOf(hashes: readonly string[], records: readonly ({ hash: string; bytes: Uint8Array } | undefined)[]): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  records.forEach((r, i) => {
    if (!r) throw missingPage(hashes[i]);
    out.set(r.hash, r.bytes);
  });
  return out;
}

export class IndexedDbCheckpointStore implements CheckpointStore {
  constructor(private readonly db: Db) {}

  put(record: CheckpointRecord, pages: ReadonlyMap<string, Uint8Array>): Promise<void> {
    return this.putAll([record], pages);
  }

  async putAll(records: readonly CheckpointRecord[], pages: ReadonlyMap<string, Uint8Array>): Promise<void> {
    const tx = this.db.transaction(['checkpoints', 'checkpointData', 'pages'], 'readwrite');
    try {
      // Raw requests, not idb's promises (one each, thousands a minute while recording): a failing
      // put aborts the transaction and surfaces once, in tx.done.
      const pageStore = unwrap(tx.objectStore('pages'));
      const metaStore = unwrap(tx.objectStore('checkpoints'));
      const dataStore = unwrap(tx.objectStore('checkpointData'));
      // put, not add: the same content under the same key is the same record, written or not.
      for (const [hash, bytes] of pages) pageStore.put({ hash, bytes });
      for (const record of records) {
        const { state, pageMap, ...meta } = record;
        metaStore.put({ ...meta, pages: infoOf(record).pages });
        dataStore.put({ vmId: record.vmId, id: record.id, state, pageMap });
      }
      await tx.done;
    } catch (error) {
      try {
        tx.abort();
      } catch {
        // Already aborted by the failing request.
      }
      const name = error instanceof DOMException || error instanceof Error ? error.name : '';
      if (name === 'QuotaExceededError') {
        throw new QuotaError(`Storage is full: a checkpoint of VM '${records[0]?.vmId ?? '?'}' could not be saved. Events are unaffected.`, 'Free space by exporting and deleting VMs you no longer need.');
      }
      throw error;
    }
  }

  async list(vmId: string): Promise<CheckpointInfo[]> {
    const records = await this.db.getAll('checkpoints', vmRange(vmId));
    return records.map(({ id, seq, icount, stateHash, pages }) => ({ id, seq, icount, stateHash, pages })).sort(byPosition);
  }

  async get(vmId: string, id: string): Promise<CheckpointRecord> {
    const tx = this.db.transaction(['checkpoints', 'checkpointData'], 'readonly');
    const [meta, data] = await Promise.all([tx.objectStore('checkpoints').get([vmId, id]), tx.objectStore('checkpointData').get([vmId, id]), tx.done]);
    if (!meta || !data) throw missingCheckpoint(vmId, id);
    return recordOf(meta, data);
  }

  async getWithPages(vmId: string, id: string, cached: (hash: string) => boolean): Promise<{ record: CheckpointRecord; pages: Map<string, Uint8Array> }> {
    const tx = this.db.transaction(['checkpoints', 'checkpointData', 'pages'], 'readonly');
    const [meta, data] = await Promise.all([tx.objectStore('checkpoints').get([vmId, id]), tx.objectStore('checkpointData').get([vmId, id])]);
    if (!meta || !data) {
      await tx.done;
      throw missingCheckpoint(vmId, id);
    }
    const record = recordOf(meta, data);
    // Asked within the same transaction, still active while the reads above resolve.
    const hashes = missingFrom(record, cached);
    const found = await Promise.all(hashes.map((h) => tx.objectStore('pages').get(h)));
    await tx.done;
    return { record, pages: pagesOf(hashes, found) };
  }

  async getPages(hashes: readonly string[]): Promise<Map<string, Uint8Array>> {
    const tx = this.db.transaction('pages', 'readonly');
    const records = await Promise.all(hashes.map((h) => tx.store.get(h)));
    await tx.done;
    return pagesOf(hashes, records);
  }

  async delete(vmId: string, ids: readonly string[]): Promise<void> {
    const tx = this.db.transaction(['checkpoints', 'checkpointData'], 'readwrite');
    const meta = tx.objectStore('checkpoints');
    const data = tx.objectStore('checkpointData');
    await Promise.all([...ids.flatMap((id) => [meta.delete([vmId, id]), data.delete([vmId, id])]), tx.done]);
  }

  async deleteVm(vmId: string): Promise<void> {
    const tx = this.db.transaction(['checkpoints', 'checkpointData'], 'readwrite');
    await Promise.all([tx.objectStore('checkpoints').delete(vmRange(vmId)), tx.objectStore('checkpointData').delete(vmRange(vmId)), tx.done]);
  }

  async sweep(keep: ReadonlySet<string> = new Set()): Promise<number> {
    // One transaction over both stores, so no checkpoint can land between the reading and the deleting.
    const tx = this.db.transaction(['checkpointData', 'pages'], 'readwrite');
    const used = new Set(keep);
    let cursor = await tx.objectStore('checkpointData').openCursor();
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
