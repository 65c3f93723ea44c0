// The IndexedDB schema, its versions and their upgrades.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CheckpointRecord } from './CheckpointStore.ts';
import type { StreamInfo } from './EventStore.ts';
import type { SegmentRecord } from './segments.ts';

export const DB_NAME = 'vm-playground';
export const DB_VERSION = 2;

/** A boot image stored once, by content. */
export interface BootImageRecord {
  readonly sha256: string;
  readonly name: string;
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly addedAt: number;
}

/** A 4 KiB page of guest memory, stored once however many checkpoints and VMs use it. */
export interface PageRecord {
  readonly hash: string;
  readonly bytes: Uint8Array;
}

export type { CheckpointRecord };

/** What a checkpoint list needs, kept apart from the bulky part so listing reads little. */
export type CheckpointMetaRecord = Omit<CheckpointRecord, 'state' | 'pageMap'> & { readonly pages: number };

/** The bulky part of a checkpoint: machine state and page map. */
export interface CheckpointDataRecord {
  readonly vmId: string;
  readonly id: string;
  readonly state: Uint8Array;
  readonly pageMap: Uint8Array;
}

export interface PlaygroundDb extends DBSchema {
  /** Event segments keyed [vmId, seq of their first event] (see segments.ts for why not one record per event). */
  events: {
    key: [string, number];
    value: SegmentRecord;
    indexes: { byType: [string, string, number]; byTime: [string, number] };
  };
  streams: { key: string; value: StreamInfo };
  bootImages: { key: string; value: BootImageRecord };
  checkpoints: { key: [string, string]; value: CheckpointMetaRecord; indexes: { bySeq: [string, number] } };
  checkpointData: { key: [string, string]; value: CheckpointDataRecord };
  pages: { key: string; value: PageRecord };
}

/** Opens (creating or upgrading) the database. Each version's upgrade runs once, in order. */
export function openPlaygroundDb(name = DB_NAME): Promise<IDBPDatabase<PlaygroundDb>> {
  return openDB<PlaygroundDb>(name, DB_VERSION, {
    upgrade(db, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        const events = db.createObjectStore('events', { keyPath: ['vmId', 'seq'] });
        // One entry [vmId, type, first seq] per distinct type in a segment.
        events.createIndex('byType', 'typeKeys', { multiEntry: true });
        events.createIndex('byTime', ['vmId', 'lastAt']);
        db.createObjectStore('streams', { keyPath: 'vmId' });
        db.createObjectStore('bootImages', { keyPath: 'sha256' });
        const checkpoints = db.createObjectStore('checkpoints', { keyPath: ['vmId', 'id'] });
        checkpoints.createIndex('bySeq', ['vmId', 'seq']);
        db.createObjectStore('pages', { keyPath: 'hash' });
      }
      if (oldVersion < 2) {
        // Version 2 splits a checkpoint's metadata from its state and page map, so listing a VM's
        // thousands of checkpoints stays cheap. Checkpoints are a cache of the events: version 1's are dropped.
        db.deleteObjectStore('checkpoints');
        const checkpoints = db.createObjectStore('checkpoints', { keyPath: ['vmId', 'id'] });
        checkpoints.createIndex('bySeq', ['vmId', 'seq']);
        db.createObjectStore('checkpointData', { keyPath: ['vmId', 'id'] });
        transaction.objectStore('pages').clear();
      }
    },
    blocked() {
      console.warn(`Database '${name}' upgrade is waiting: another tab has an older version open.`);
    },
  });
}
