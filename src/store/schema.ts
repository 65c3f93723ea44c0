// The IndexedDB schema, its versions and their upgrades.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CheckpointRecord } from './CheckpointStore.ts';
import type { StreamInfo } from './EventStore.ts';
import type { SegmentRecord } from './segments.ts';

export const DB_NAME = 'vm-playground';
export const DB_VERSION = 1;

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

export interface PlaygroundDb extends DBSchema {
  /** Event segments keyed [vmId, seq of their first event] (see segments.ts for why not one record per event). */
  events: {
    key: [string, number];
    value: SegmentRecord;
    indexes: { byType: [string, string, number]; byTime: [string, number] };
  };
  streams: { key: string; value: StreamInfo };
  bootImages: { key: string; value: BootImageRecord };
  checkpoints: { key: [string, string]; value: CheckpointRecord; indexes: { bySeq: [string, number] } };
  pages: { key: string; value: PageRecord };
}

/** Opens (creating or upgrading) the database. Each version's upgrade runs once, in order. */
export function openPlaygroundDb(name = DB_NAME): Promise<IDBPDatabase<PlaygroundDb>> {
  return openDB<PlaygroundDb>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
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
    },
    blocked() {
      console.warn(`Database '${name}' upgrade is waiting: another tab has an older version open.`);
    },
  });
}
