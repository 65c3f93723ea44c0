// The checkpoint section of a stream file (after the events): pages once by hash, then checkpoint records; all checked before import.
import { CorruptError, isRecord, type AnyStoredEvent } from '../domain/index.ts';
import { pageHash, unpackPageMap, type CheckpointRecord, type CheckpointStore } from './CheckpointStore.ts';
import { fromBase64, toBase64 } from './base64.ts';

const PAGE_BYTES = 4096;

export interface CheckpointSection {
  readonly checkpoints: readonly Omit<CheckpointRecord, 'vmId'>[];
  readonly pages: ReadonlyMap<string, Uint8Array>;
}

/** The section's lines: a count line, one line per distinct page, one per checkpoint. Empty when the VM has none. */
export async function exportCheckpoints(store: CheckpointStore, vmId: string): Promise<string[]> {
  const list = await store.list(vmId);
  if (list.length === 0) return [];
  const records = await Promise.all(list.map((c) => store.get(vmId, c.id)));
  const hashes = new Set<string>();
  for (const r of records) for (const h of unpackPageMap(r.pageMap).values()) hashes.add(h);
  const pages = await store.getPages([...hashes]);
  const lines = [JSON.stringify({ checkpoints: records.length, pages: pages.size })];
  for (const [hash, bytes] of pages) lines.push(JSON.stringify({ page: { hash, base64: toBase64(bytes) } }));
  for (const r of records) {
    lines.push(
      JSON.stringify({
        checkpoint: { id: r.id, seq: r.seq, icount: r.icount, stateHash: r.stateHash, createdAt: r.createdAt, state: toBase64(r.state), pageMap: toBase64(r.pageMap) },
      }),
    );
  }
  return lines;
}

/**
 * Reads and checks the section completely: counts, every page's size and content hash, every
 * checkpoint's fields and position inside the stream, and that every page a checkpoint refers to
 * is in the file. `firstLine` is the file line number of `lines[0]`, for the messages.
 */
export async function parseCheckpointSection(lines: readonly string[], firstLine: number, fileName: string, events: readonly AnyStoredEvent[]): Promise<CheckpointSection> {
  const fail = (index: number, message: string): never => {
    throw new CorruptError(`${fileName}, line ${firstLine + index}: ${message}`, 'Export the VM again; this copy is damaged.');
  };
  if (lines.length === 0) return { checkpoints: [], pages: new Map() };
  const json = (index: number): Record<string, unknown> => {
    let value: unknown;
    try {
      value = JSON.parse(lines[index]);
    } catch {
      fail(index, 'not valid JSON: the checkpoint section is damaged or cut off.');
    }
    if (!isRecord(value)) fail(index, 'expected an object in the checkpoint section.');
    return value as Record<string, unknown>;
  };
  const counts = json(0);
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!count(counts.checkpoints) || !count(counts.pages)) fail(0, 'expected the checkpoint section to start with {"checkpoints": n, "pages": m}.');
  const nPages = counts.pages as number;
  const nCheckpoints = counts.checkpoints as number;
  if (lines.length !== 1 + nPages + nCheckpoints) {
    fail(lines.length - 1, `the checkpoint section promises ${nPages} pages and ${nCheckpoints} checkpoints but has ${lines.length - 1} lines: the file is truncated or has extra lines.`);
  }
  const pages = new Map<string, Uint8Array>();
  for (let i = 1; i <= nPages; i++) {
    const page = json(i).page;
    if (!isRecord(page) || typeof page.hash !== 'string' || typeof page.base64 !== 'string') fail(i, 'expected a page line {"page": {hash, base64}}.');
    const p = page as { hash: string; base64: string };
    let bytes: Uint8Array = new Uint8Array();
    try {
      bytes = fromBase64(p.base64);
    } catch {
      fail(i, `page ${p.hash} is not valid base64.`);
    }
    if (bytes.length !== PAGE_BYTES) fail(i, `page ${p.hash} has ${bytes.length} bytes, not ${PAGE_BYTES}.`);
    if ((await pageHash(bytes)) !== p.hash) fail(i, `page ${p.hash} does not match its content hash: it was changed or damaged.`);
    pages.set(p.hash, bytes);
  }
  const headIcount = events.length > 0 ? events[events.length - 1].icount : 0;
  const checkpoints: Omit<CheckpointRecord, 'vmId'>[] = [];
  for (let i = 1 + nPages; i < lines.length; i++) {
    const c = json(i).checkpoint;
    if (!isRecord(c)) fail(i, 'expected a checkpoint line {"checkpoint": {...}}.');
    const r = c as Record<string, unknown>;
    const whole = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
    if (typeof r.id !== 'string' || typeof r.stateHash !== 'string' || typeof r.state !== 'string' || typeof r.pageMap !== 'string' || !whole(r.seq) || !whole(r.icount) || !whole(r.createdAt)) {
      fail(i, 'a checkpoint needs id, seq, icount, stateHash, createdAt, state and pageMap.');
    }
    const seq = r.seq as number;
    const icount = r.icount as number;
    // seq 0: a checkpoint taken before the first input (no cause applied yet).
    if (seq > events.length) fail(i, `checkpoint '${String(r.id)}' is at seq ${seq}, beyond the stream's ${events.length} events.`);
    if ((seq > 0 && icount < events[seq - 1].icount) || icount > headIcount) fail(i, `checkpoint '${String(r.id)}' is at icount ${icount}, which does not fit its seq ${seq} in the stream.`);
    let state: Uint8Array = new Uint8Array();
    let pageMap: Uint8Array = new Uint8Array();
    try {
      state = fromBase64(r.state as string);
      pageMap = fromBase64(r.pageMap as string);
    } catch {
      fail(i, `checkpoint '${String(r.id)}' has invalid base64.`);
    }
    let map = new Map<number, string>();
    try {
      map = unpackPageMap(pageMap);
    } catch (e) {
      fail(i, (e as Error).message);
    }
    for (const hash of map.values()) if (!pages.has(hash)) fail(i, `checkpoint '${String(r.id)}' refers to page ${hash}, which is not in the file.`);
    checkpoints.push({ id: r.id as string, seq, icount, stateHash: r.stateHash as string, createdAt: r.createdAt as number, state, pageMap });
  }
  return { checkpoints, pages };
}

/** Writes a checked section's checkpoints under `vmId`, each with the pages it needs (pages already stored are the same by content). */
export async function importCheckpoints(store: CheckpointStore, vmId: string, section: CheckpointSection): Promise<void> {
  // Each page goes with the first checkpoint that needs it: checkpoints share most of their pages.
  const written = new Set<string>();
  for (const c of section.checkpoints) {
    const pages = new Map<string, Uint8Array>();
    for (const h of unpackPageMap(c.pageMap).values()) {
      if (written.has(h)) continue;
      written.add(h);
      pages.set(h, section.pages.get(h)!);
    }
    await store.put({ ...c, vmId }, pages);
  }
}

/** Gives `to` the checkpoints of `from` that lie within its first `seq` events (up to icount `icount`): same records, same pages. */
export async function copyCheckpoints(store: CheckpointStore, from: string, to: string, seq: number, icount: number): Promise<number> {
  const list = (await store.list(from)).filter((c) => c.seq <= seq && c.icount <= icount);
  for (const c of list) {
    const record = await store.get(from, c.id);
    await store.put({ ...record, vmId: to }, new Map());
  }
  return list.length;
}
