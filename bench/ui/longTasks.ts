// Long tasks (PerformanceObserver 'longtask' entries) summarised over a time window of the page.

export interface LongTask {
  readonly start: number;
  readonly duration: number;
}

export interface PhaseStats {
  readonly ms: number;
  /** Long tasks (over 50 ms by the browser's definition) that overlap the window. */
  readonly count: number;
  readonly over50: number;
  readonly longestMs: number;
}

export function phaseStats(tasks: readonly LongTask[], from: number, to: number): PhaseStats {
  const inside = tasks.filter((t) => t.start < to && t.start + t.duration > from);
  return {
    ms: to - from,
    count: inside.length,
    over50: inside.filter((t) => t.duration > 50).length,
    longestMs: inside.reduce((m, t) => Math.max(m, t.duration), 0),
  };
}
