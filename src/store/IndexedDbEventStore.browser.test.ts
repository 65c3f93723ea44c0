// The store contract, run unchanged against the IndexedDB store in real Chromium.
import { eventStoreContract } from './eventStoreContract.ts';
import { idbTarget } from './testing/idbTarget.ts';

eventStoreContract('IndexedDbEventStore (Chromium)', idbTarget);
