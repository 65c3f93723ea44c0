// A strip over the whole stream, coloured by event family: where the VM did what; a click travels there.
import { useEffect, useRef } from 'react';
import { FAMILIES } from '../../domain/index.ts';
import { FAMILY_COLOR } from '../eventSummary.ts';
import type { StreamIndex } from '../streamIndex.ts';

const HEIGHT = 22;
/** A growing stream redraws the strip at most this often; a new viewed point or size redraws at once. */
const GROWTH_REDRAW_MS = 250;

/**
 * Drawn on a canvas from the stream's per-block family counts (StreamIndex.density), at most four
 * times a second while the stream grows, so a million events cost a few milliseconds per redraw and no DOM.
 */
export function DensityStrip({ stream, pastSeq, onPick }: { stream: StreamIndex; pastSeq: number | null; onPick: (seq: number) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const pastRef = useRef(pastSeq);
  const redraw = useRef<() => void>(() => undefined);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    let frame = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let drawnAt = -Infinity;
    const draw = () => {
      frame = 0;
      drawnAt = performance.now();
      const ratio = window.devicePixelRatio || 1;
      const width = Math.max(1, Math.round(el.clientWidth * ratio));
      const height = Math.round(HEIGHT * ratio);
      if (el.width !== width || el.height !== height) {
        el.width = width;
        el.height = height;
      }
      const ctx = el.getContext('2d');
      if (!ctx) return;
      ctx.fillStyle = '#10131a';
      ctx.fillRect(0, 0, width, height);
      const head = stream.head;
      if (head === 0) return;
      // One column per event when there are fewer events than pixels.
      const columns = Math.min(width, head);
      const counts = stream.density(columns);
      const families = FAMILIES.length;
      const colors = FAMILIES.map((f) => FAMILY_COLOR[f]);
      const columnWidth = width / columns;
      for (let c = 0; c < columns; c++) {
        let total = 0;
        for (let f = 0; f < families; f++) total += counts[c * families + f];
        if (total === 0) continue;
        let y = height;
        for (let f = 0; f < families; f++) {
          const n = counts[c * families + f];
          if (n === 0) continue;
          const h = (n / total) * height;
          ctx.fillStyle = colors[f];
          ctx.fillRect(Math.floor(c * columnWidth), y - h, Math.ceil(columnWidth), h);
          y -= h;
        }
      }
      const past = pastRef.current;
      if (past !== null) {
        const x = Math.round(((past - 0.5) / head) * width);
        ctx.fillStyle = '#ffffff';
        ctx.fillRect(Math.max(0, x - ratio), 0, Math.max(2, 2 * ratio), height);
      }
    };
    const schedule = () => {
      if (frame === 0) frame = requestAnimationFrame(draw);
    };
    const grown = () => {
      if (timer !== null || frame !== 0) return;
      timer = setTimeout(() => {
        timer = null;
        schedule();
      }, Math.max(0, drawnAt + GROWTH_REDRAW_MS - performance.now()));
    };
    schedule();
    const stop = stream.onChange(grown);
    const resize = new ResizeObserver(schedule);
    resize.observe(el);
    redraw.current = schedule;
    return () => {
      stop();
      resize.disconnect();
      redraw.current = () => undefined;
      if (frame !== 0) cancelAnimationFrame(frame);
      if (timer !== null) clearTimeout(timer);
    };
  }, [stream]);

  useEffect(() => {
    pastRef.current = pastSeq;
    redraw.current();
  }, [pastSeq]);

  const seqAtX = (clientX: number): number => {
    const el = canvas.current!;
    const rect = el.getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (clientX - rect.left) / rect.width));
    return Math.min(stream.head, Math.max(1, Math.floor(fraction * stream.head) + 1));
  };

  return (
    <canvas
      ref={canvas}
      className="density"
      data-testid="density-strip"
      data-head={stream.head}
      style={{ height: HEIGHT }}
      role="img"
      aria-label="Events over the whole stream, coloured by family; click to travel there"
      title="Events over the whole stream, coloured by family: click to travel there"
      onClick={(e) => stream.head > 0 && onPick(seqAtX(e.clientX))}
    />
  );
}
