// Windowing for lists of equal-height rows of any length: which rows to draw and where, from the scroll position alone.
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

/**
 * Browsers cap an element's height (Chromium near 33.5M px); past this many pixels the scroll
 * range is compressed and rows are placed relative to the scroll position instead.
 */
const MAX_SCROLL_PX = 12_000_000;

export interface FixedRows {
  /** Height of the scrolled content. */
  readonly totalHeight: number;
  /** The rows to draw: index and top offset inside the scrolled content. */
  readonly rows: readonly { readonly index: number; readonly top: number }[];
  scrollToIndex(index: number, align: 'start' | 'center' | 'end' | 'auto'): void;
}

/**
 * Written for the timeline instead of @tanstack/react-virtual, which recomputes an offset for
 * every row whenever the count changes: O(count) per live update, a long task at a million rows
 * (bench/ui). Equal heights make every position arithmetic, so each render costs only the rows drawn.
 */
export function useFixedRows(
  scroller: RefObject<HTMLElement | null>,
  count: number,
  rowHeight: number,
  overscan: number,
  followEnd: boolean,
): FixedRows {
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(0);
  const end = useRef(true);
  const view = useRef(0);
  /** The scrollTop a follow last set (see onScroll). */
  const followTop = useRef(-1);
  /** True while the list is drawn at its end because it follows a growing stream (see below). */
  const following = followEnd && end.current;
  const followingRef = useRef(following);
  followingRef.current = following;

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    // Reads only scrollTop (the viewport height comes from the ResizeObserver): asking for
    // clientHeight or scrollHeight here would force a layout on every scroll event.
    const onScroll = () => {
      const top = el.scrollTop;
      // The scroll that follows made itself: the list may have grown again before its event
      // arrives, and measuring then would find it short of the end and stop following.
      if (followingRef.current && Math.abs(top - followTop.current) <= 1) return;
      end.current = top + view.current >= heights.current.total - 2 * rowHeight;
      // The scroll that keeps a followed list at its end changes nothing drawn.
      if (!(end.current && followingRef.current)) setScrollTop(top);
    };
    const measure = () => {
      view.current = el.clientHeight;
      setViewport(view.current);
    };
    const resize = new ResizeObserver(measure);
    el.addEventListener('scroll', onScroll, { passive: true });
    resize.observe(el);
    measure();
    return () => {
      el.removeEventListener('scroll', onScroll);
      resize.disconnect();
    };
  }, [scroller, rowHeight]);

  const natural = count * rowHeight;
  const totalHeight = Math.min(natural, MAX_SCROLL_PX);
  const heights = useRef({ total: totalHeight });
  useEffect(() => {
    heights.current.total = totalHeight;
  }, [totalHeight]);
  const maxScroll = Math.max(0, totalHeight - viewport);
  const naturalMax = Math.max(0, natural - viewport);
  const top = following ? maxScroll : Math.min(scrollTop, maxScroll);
  /** Where the view is in the uncompressed list. */
  const offset = maxScroll > 0 ? (top / maxScroll) * naturalMax : 0;
  const first = Math.max(0, Math.floor(offset / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((offset + viewport) / rowHeight) + overscan);
  const rows: { index: number; top: number }[] = [];
  for (let i = first; i <= last; i++) rows.push({ index: i, top: top + i * rowHeight - offset });

  // Following: the rows above are already those at the end, and the scroller is moved there on the
  // next frame, where the browser lays the page out anyway. Setting scrollTop during the update
  // would force that layout inside the task that handles the worker's message; on a busy machine
  // such tasks ran 40–60 ms (bench/ui).
  const frame = useRef(0);
  useEffect(() => {
    if (!following || frame.current !== 0) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const el = scroller.current;
      if (el && followingRef.current) {
        followTop.current = Math.max(0, heights.current.total - view.current);
        el.scrollTop = followTop.current;
      }
    });
  });
  useEffect(() => () => cancelAnimationFrame(frame.current), []);
  // While following, scroll events leave scrollTop alone; when it ends, the rows drawn come from the scroller again.
  const wasFollowing = useRef(following);
  useEffect(() => {
    if (wasFollowing.current && !following && scroller.current) setScrollTop(scroller.current.scrollTop);
    wasFollowing.current = following;
  }, [following, scroller]);

  const scrollToIndex = useCallback(
    (index: number, align: 'start' | 'center' | 'end' | 'auto') => {
      const el = scroller.current;
      if (!el || count === 0) return;
      const view = el.clientHeight;
      const nat = count * rowHeight;
      const total = Math.min(nat, MAX_SCROLL_PX);
      const max = Math.max(0, total - view);
      const natMax = Math.max(0, nat - view);
      const current = max > 0 ? (el.scrollTop / max) * natMax : 0;
      const rowTop = index * rowHeight;
      let target: number;
      if (align === 'start') target = rowTop;
      else if (align === 'end') target = rowTop + rowHeight - view;
      else if (align === 'center') target = rowTop + rowHeight / 2 - view / 2;
      else if (rowTop < current) target = rowTop;
      else if (rowTop + rowHeight > current + view) target = rowTop + rowHeight - view;
      else {
        // Already in view; the drawn rows may still be those of a follow that just ended.
        setScrollTop(el.scrollTop);
        return;
      }
      const clamped = Math.min(natMax, Math.max(0, target));
      el.scrollTop = natMax > 0 ? (clamped / natMax) * max : 0;
      setScrollTop(el.scrollTop);
    },
    [scroller, count, rowHeight],
  );

  return { totalHeight, rows, scrollToIndex };
}
