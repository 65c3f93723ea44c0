// Following a VM's stream for the UI: its events from a seq on, then live, with the state after them.
import { evolve, initialState, type AnyStoredEvent, type VmId, type VmState } from '../domain/index.ts';
import type { EventStore } from '../store/EventStore.ts';
import { coalescer } from './coalesce.ts';
import type { WatchUpdate } from './protocol.ts';

/** Calls `onUpdate` with the events from `fromSeq` on, coalesced; returns the function that stops it. */
export function watchStream(store: EventStore, vmId: VmId, fromSeq: number, onUpdate: (update: WatchUpdate) => void, clock: () => number): () => void {
  let state: VmState = initialState(vmId);
  let pending: AnyStoredEvent[] = [];
  const updates = coalescer(() => {
    const events = pending;
    pending = [];
    onUpdate({ vmId, events, state });
  }, clock);
  // Folds from seq 1 so the state sent along is right even when the watcher starts in the middle.
  const unsubscribe = store.subscribe(vmId, 1, (events) => {
    for (const e of events) {
      state = evolve(state, e);
      if (e.seq >= fromSeq) pending.push(e);
    }
    updates.poke();
  });
  return () => {
    unsubscribe();
    updates.cancel();
  };
}
