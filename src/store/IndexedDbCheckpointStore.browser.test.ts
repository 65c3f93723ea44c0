// The checkpoint store contract against IndexedDB in real Chromium.
import { checkpointStoreContract } from './checkpointStoreContract.ts';
import { IndexedDbCheckpointStore } from './IndexedDbCheckpointStore.ts';
import { openPlaygroundDb } from './schema.ts';

let counter = 0;
checkpointStoreContract('IndexedDB (Chromium)', async () => new IndexedDbCheckpointStore(await openPlaygroundDb(`checkpoints-${Date.now()}-${counter++}`)));
