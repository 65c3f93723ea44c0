// The contract target for IndexedDbEventStore, shared by the Node (fake-indexeddb) and Chromium runs.
import { unwrap } from 'idb';
import type { ContractTarget } from '../eventStoreContract.ts';
import { IndexedDbEventStore } from '../IndexedDbEventStore.ts';
import type { EventStore } from '../EventStore.ts';
import type { VmId } from '../../domain/index.ts';
import { encodeSegments } from '../segments.ts';

let counter = 0;
let restoreAdd: (() => void) | null = null;

export const idbTarget: ContractTarget = {
  create: () => IndexedDbEventStore.open(`contract-${Date.now()}-${counter++}`),
  exhaustQuota: () => {
    // A full disk makes IndexedDB requests fail with QuotaExceededError; let the second add of a batch do that.
    const proto = IDBObjectStore.prototype;
    const original = proto.add;
    let calls = 0;
    proto.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
      if (++calls === 2) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return original.apply(this, args);
    };
    restoreAdd = () => {
      proto.add = original;
    };
  },
  restoreQuota: () => {
    restoreAdd?.();
    restoreAdd = null;
  },
  seedRaw: async (store: EventStore, records) => {
    const db = (store as IndexedDbEventStore).database;
    const segments = encodeSegments(records[0].vmId, records);
    const tx = db.transaction(['events', 'streams'], 'readwrite');
    const events = unwrap(tx.objectStore('events'));
    for (const segment of segments) events.put(segment);
    const last = records[records.length - 1];
    unwrap(tx.objectStore('streams')).put({
      vmId: last.vmId as VmId,
      head: last.seq,
      count: records.length,
      bytes: 0,
      firstAt: records[0].at,
      lastAt: last.at,
    });
    await tx.done;
  },
};
