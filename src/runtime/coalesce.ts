// Coalescing pushes to the UI: each one costs the page a message task, a render and a paint.

/**
 * Pushes to the page (events, console output) are coalesced to at most one per this many
 * milliseconds. On a machine whose cores are shared by the running VM, the page and the browser's
 * painting, fewer and larger updates leave the page's thread free: bench/ui counted long tasks
 * during live streaming at full speed, and they became rarer as this interval grew.
 */
export const UPDATE_INTERVAL_MS = 100;

export interface Coalescer {
  /** Something changed: `flush` runs at once after a quiet moment, else when the interval since the last flush ends. */
  poke(): void;
  /** Runs a pending flush now. */
  flushNow(): void;
  cancel(): void;
}

export function coalescer(flush: () => void, clock: () => number, interval = UPDATE_INTERVAL_MS): Coalescer {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = -Infinity;
  const run = () => {
    timer = null;
    last = clock();
    flush();
  };
  return {
    poke() {
      if (timer === null) timer = setTimeout(run, Math.max(0, last + interval - clock()));
    },
    flushNow() {
      if (timer === null) return;
      clearTimeout(timer);
      run();
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
