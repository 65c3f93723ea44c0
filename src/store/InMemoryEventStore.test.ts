// The store contract, run against the in-memory store.
import { InMemoryEventStore } from './InMemoryEventStore.ts';
import { eventStoreContract } from './eventStoreContract.ts';

eventStoreContract('InMemoryEventStore', {
  create: async () => new InMemoryEventStore(),
  exhaustQuota: (store) => (store as InMemoryEventStore).setQuotaBytes(0),
  restoreQuota: (store) => (store as InMemoryEventStore).setQuotaBytes(Infinity),
  seedRaw: async (store, records) => (store as InMemoryEventStore).putRecords(records),
});
