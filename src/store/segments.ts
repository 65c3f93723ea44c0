// Event segments: how IndexedDbEventStore packs consecutive events of a stream into one record.
//
// Chromium's IndexedDB costs about 100 µs per record written and 30 µs per record read on the
// machines measured (bench/store), which caps one-record-per-event at under 10k events/s. A segment
// holds up to SEGMENT_MAX consecutive events of one append as a deflated JSON body, keyed
// [vmId, first seq] and inserted with add(), so two writers claiming the same seq still collide
// instead of overwriting. Deflate (fflate, level 1) shrinks a typical segment about tenfold, and
// reading fewer bytes out of IndexedDB is what makes loading a long stream fast.
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';
import type { AnyStoredEvent, EventType, RawEvent, VmId } from '../domain/index.ts';

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
  /** Deflated JSON array of [type, v, icount, at, data] tuples; vmId and seq follow from the record. */
  readonly body: Uint8Array;
}

type Tuple = [string, number, number, number, unknown];

/** Packs consecutive events of one stream into segment records of at most SEGMENT_MAX events. */
export function encodeSegments(vmId: VmId | string, events: readonly (AnyStoredEvent | RawEvent)[]): SegmentRecord[] {
  const out: SegmentRecord[] = [];
  for (let start = 0; start < events.length; start += SEGMENT_MAX) {
    const part = events.slice(start, start + SEGMENT_MAX);
    const first = part[0];
    const last = part[part.length - 1];
    const types = new Set<string>();
    const tuples: Tuple[] = part.map((e) => {
      types.add(e.type);
      return [e.type, e.v, e.icount, e.at, e.data];
    });
    out.push({
      vmId,
      seq: first.seq,
      last: last.seq,
      firstAt: first.at,
      lastAt: last.at,
      typeKeys: [...types].map((t) => [vmId, t, first.seq]),
      body: deflateSync(strToU8(JSON.stringify(tuples)), { level: 1 }),
    });
  }
  return out;
}

/** Unpacks a segment into raw events (before upcasting), keeping only seqs in [from, to]. */
export function decodeSegment(segment: SegmentRecord, from = 1, to = Number.MAX_SAFE_INTEGER): RawEvent[] {
  const tuples = JSON.parse(strFromU8(inflateSync(segment.body))) as Tuple[];
  const out: RawEvent[] = [];
  const lo = Math.max(from, segment.seq);
  const hi = Math.min(to, segment.last);
  for (let seq = lo; seq <= hi; seq++) {
    const [type, v, icount, at, data] = tuples[seq - segment.seq];
    out.push({ vmId: segment.vmId, seq, type: type as EventType, v, icount, at, data });
  }
  return out;
}

/** Stored size of a segment: its compressed body plus the envelope. */
export function segmentBytes(segment: SegmentRecord): number {
  return segment.body.byteLength + 48 + segment.typeKeys.length * 32;
}
