// Following a VM's stream for the timeline: a compact type index of every event, the newest events in full, console output.
import { EVENT_TYPES, evolve, initialState, type AnyStoredEvent, type EventType, type VmId, type VmState } from '../domain/index.ts';
import type { EventStore } from '../store/EventStore.ts';
import { coalescer } from './coalesce.ts';
import type { FollowUpdate } from './protocol.ts';

/** At most this many of the newest events travel in full with an update (a screenful of rows and more); older rows are loaded by range. */
export const FOLLOW_TAIL = 200;
/** Console output carried by one update is cut to its last this many bytes (xterm keeps a bounded scrollback anyway). */
export const FOLLOW_CONSOLE_MAX = 256 * 1024;

const CODE_OF: ReadonlyMap<EventType, number> = new Map(EVENT_TYPES.map((t, i) => [t, i]));

/**
 * Calls `onUpdate` with every event of the stream as one byte (its index in EVENT_TYPES), so a
 * page can filter, count and draw a stream of a million events without holding them: 1 MB instead
 * of hundreds. Updates are coalesced like watchStream's (coalesce.ts).
 */
export function followStream(store: EventStore, vmId: VmId, onUpdate: (update: FollowUpdate) => void, clock: () => number): () => void {
  let state: VmState = initialState(vmId);
  let from = 1;
  let codes = new Uint8Array(1024);
  let count = 0;
  let tail: AnyStoredEvent[] = [];
  let consoleText = '';
  let consoleOffset = 0;
  let consoleEnd = 0;
  // While the history is read, console output is held back and only its end is sent once the
  // reading reaches the head as it was: a terminal then parses a few hundred KiB once, not every
  // byte the VM ever wrote.
  let initialHead: number | null = null;
  const reached = (head: number) => {
    initialHead = head;
    // Output held back while the head was unknown goes out now, even if no event follows.
    if (consoleText.length > 0) updates.poke();
  };

  const flush = () => {
    const caughtUp = initialHead !== null && from + count - 1 >= initialHead;
    const update: FollowUpdate = {
      vmId,
      from,
      types: codes.slice(0, count),
      tail: tail.length > FOLLOW_TAIL ? tail.slice(-FOLLOW_TAIL) : tail,
      console: caughtUp && consoleText.length > 0 ? { bytes: consoleText, offset: consoleOffset } : null,
      state,
    };
    from += count;
    count = 0;
    if (codes.length > 65536) codes = new Uint8Array(1024);
    tail = [];
    if (caughtUp) {
      consoleText = '';
      consoleOffset = consoleEnd;
    }
    onUpdate(update);
  };
  const updates = coalescer(flush, clock);

  void store.getLastSequenceNumber(vmId).then(reached, () => reached(0));
  const unsubscribe = store.subscribe(vmId, 1, (events) => {
    if (count + events.length > codes.length) {
      const grown = new Uint8Array(Math.max(codes.length * 2, count + events.length));
      grown.set(codes.subarray(0, count));
      codes = grown;
    }
    for (const e of events) {
      state = evolve(state, e);
      codes[count++] = CODE_OF.get(e.type) ?? 0;
      if (e.type === 'IoCompleted' && e.data.direction === 'out') {
        consoleText += e.data.bytes;
        consoleEnd += e.data.bytes.length;
      }
    }
    if (consoleText.length > FOLLOW_CONSOLE_MAX) {
      consoleOffset += consoleText.length - FOLLOW_CONSOLE_MAX;
      consoleText = consoleText.slice(-FOLLOW_CONSOLE_MAX);
    }
    tail.push(...events.slice(-FOLLOW_TAIL));
    if (tail.length > 4 * FOLLOW_TAIL) tail = tail.slice(-FOLLOW_TAIL);
    updates.poke();
  });
  return () => {
    unsubscribe();
    updates.cancel();
  };
}
