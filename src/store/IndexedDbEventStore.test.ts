// The store contract, run against the IndexedDB store on fake-indexeddb in Node.
import 'fake-indexeddb/auto';
import { eventStoreContract } from './eventStoreContract.ts';
import { idbTarget } from './testing/idbTarget.ts';

eventStoreContract('IndexedDbEventStore (fake-indexeddb, Node)', idbTarget);
