// Event segments: how IndexedDbEventStore packs consecutive events of a stream into one record.
//
// Chromium's IndexedDB costs about 100 µs per record written and 30 µs per record read on the
// machines measured (bench/store), which caps one-record-per-event at under 10k events/s. A segment
// holds up to SEGMENT_MAX consecutive events of one append as a JSON string, keyed [vmId, first seq]
// and inserted with add(), so two writers claiming the same seq still collide instead of
// overwriting. A JSON string is what Chromium stores and reads fastest: measured side by side,
// deflating the body (fflate, or the platform's CompressionStream) cut stored bytes tenfold but
// halved append and read throughput. A body does not depend on seqs, so it is prepared before the
// write transaction opens; vmId and seq are added back when a segment is read.
import type { AnyNewEvent, RawEvent, VmId } from '../domain/index.ts';

/** Most events one segment record holds; larger appends are split. */
export const SEGMENT_MAX = 1000;

export interface SegmentRecord {
  readonly vmId: string;
  /** Seq of the first event in the segment: the record's key is [vmId, seq]. */
  readonly seq: number;
  readonly last: number;
  readonly firstAt: number;
  readonly lastAt: number;
  /** [vmId, type, seq] per distinct type in the segment, for the multi-entry type index. */
  readonly typeKeys: readonly [string, string, number][];
  /** JSON array of {type, v, icount, at, data}; vmId and seq follow from the record. */
  readonly body: string;
}

/** A segment's content, compressed before its seqs are known. */
export interface PreparedSegment {
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
  readonly types: readonly string[];
  readonly body: string;
}

type Body = { type: string; v: number; icount: number; at: number; data: unknown };

/** Splits events into segment bodies of at most SEGMENT_MAX events. */
export function prepareSegments(events: readonly AnyNewEvent[]): PreparedSegment[] {
  const out: PreparedSegment[] = [];
  for (let start = 0; start < events.length; start += SEGMENT_MAX) {
    const part = events.slice(start, start + SEGMENT_MAX);
    const bodies: Body[] = part.map(({ type, v, icount, at, data }) => ({ type, v, icount, at, data }));
    out.push({
      count: part.length,
      firstAt: part[0].at,
      lastAt: part[part.length - 1].at,
      types: [...new Set(part.map((e) => e.type))],
      body: JSON.stringify(bodies),
    });
  }
  return out;
}

/** The record of a prepared segment whose first event gets seq `seq`. */
export function segmentRecord(vmId: VmId | string, seq: number, prepared: PreparedSegment): SegmentRecord {
  return {
    vmId,
    seq,
    last: seq + prepared.count - 1,
    firstAt: prepared.firstAt,
    lastAt: prepared.lastAt,
    typeKeys: prepared.types.map((t) => [vmId, t, seq]),
    body: prepared.body,
  };
}

/** Records for raw events that already have seqs (consecutive, one stream), as they are. */
export function encodeSegments(vmId: VmId | string, events: readonly RawEvent[]): SegmentRecord[] {
  const prepared = prepareSegments(events as unknown as AnyNewEvent[]);
  return prepared.map((p, i) => segmentRecord(vmId, events[i * SEGMENT_MAX].seq, p));
}

/** Unpacks segments into raw events (before upcasting), keeping only seqs in [from, to], in order. */
export function decodeSegments(segments: readonly SegmentRecord[], from = 1, to = Number.MAX_SAFE_INTEGER): RawEvent[] {
  const out: RawEvent[] = [];
  for (const segment of segments) {
    const lo = Math.max(from, segment.seq);
    const hi = Math.min(to, segment.last);
    if (lo > hi) continue;
    const bodies = JSON.parse(segment.body) as { vmId: string; seq: number }[];
    for (let seq = lo; seq <= hi; seq++) {
      const e = bodies[seq - segment.seq];
      e.vmId = segment.vmId;
      e.seq = seq;
      out.push(e as unknown as RawEvent);
    }
  }
  return out;
}

/** Stored size of a segment: its body plus the envelope. */
export function segmentBytes(segment: SegmentRecord): number {
  return segment.body.length + 48 + segment.typeKeys.length * 32;
}
