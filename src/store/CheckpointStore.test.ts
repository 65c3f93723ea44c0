// The checkpoint store contract, in memory and on IndexedDB (fake-indexeddb) in Node.
import 'fake-indexeddb/auto';
import { InMemoryCheckpointStore } from './CheckpointStore.ts';
import { checkpointStoreContract } from './checkpointStoreContract.ts';
import { IndexedDbCheckpointStore } from './IndexedDbCheckpointStore.ts';
import { openPlaygroundDb } from './schema.ts';

let counter = 0;
checkpointStoreContract('in memory', async () => new InMemoryCheckpointStore());
checkpointStoreContract('IndexedDB (fake-indexeddb, Node)', async () => new IndexedDbCheckpointStore(await openPlaygroundDb(`checkpoints-${counter++}`)));
