// Export and import of one VM's stream as a versioned JSON Lines file, validated before anything is written.
import {
  CorruptError,
  IllegalStateError,
  NotFoundError,
  isRecord,
  upcast,
  validateEvent,
  VmError,
  type AnyNewEvent,
  type AnyStoredEvent,
  type VmId,
  parseVmId,
} from '../domain/index.ts';
import { READ_PAGE, type EventStore } from './EventStore.ts';
import { fromBase64, toBase64 } from './base64.ts';

export const STREAM_FORMAT = 'vm-playground/stream';
/** 2: the events may be followed by a checkpoint section (checkpointFile.ts). Version 1 files are read as before. */
export const STREAM_FORMAT_VERSION = 2;

export interface StreamFileHeader {
  readonly format: typeof STREAM_FORMAT;
  readonly version: number;
  readonly vmId: VmId;
  readonly events: number;
  /** Boot images carried in the file (uploaded ones; built-in images are not). */
  readonly images?: number;
  readonly exportedAt: number;
}

/** A boot image carried in a stream file, between the header and the events. */
export interface FileImage {
  readonly sha256: string;
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface ParsedStream {
  readonly header: StreamFileHeader;
  readonly images: readonly FileImage[];
  readonly events: AnyStoredEvent[];
  /** Lines after the events (the checkpoint section), and the file line number of the first. */
  readonly trailer: readonly string[];
  readonly trailerLine: number;
}

/**
 * Writes the whole stream: a header line, one line per boot image given, then one event per line,
 * read from the store in pages.
 */
export async function exportStream(
  store: EventStore,
  vmId: VmId,
  now: number,
  images: readonly FileImage[] = [],
  onProgress?: (done: number, total: number) => void,
): Promise<string> {
  const head = await store.getLastSequenceNumber(vmId);
  if (head === 0) throw new NotFoundError(`Cannot export VM '${vmId}': there is no such VM.`);
  const header: StreamFileHeader = { format: STREAM_FORMAT, version: STREAM_FORMAT_VERSION, vmId, events: head, images: images.length, exportedAt: now };
  const lines = [JSON.stringify(header)];
  for (const image of images) lines.push(JSON.stringify({ image: { sha256: image.sha256, name: image.name, base64: toBase64(image.bytes) } }));
  for (let from = 1; from <= head; from += READ_PAGE) {
    for (const e of await store.loadEvents(vmId, from, Math.min(head, from + READ_PAGE - 1))) lines.push(JSON.stringify(e));
    onProgress?.(Math.min(head, from + READ_PAGE - 1), head);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Reads and checks a stream file completely: header, every line's JSON, seq order, schema
 * (upcasting older versions) and the event count. Errors name the file and the line.
 */
export function parseStreamFile(text: string, fileName = 'the file', onProgress?: (line: number, lines: number) => void): ParsedStream {
  const fail = (line: number | null, message: string, hint?: string): never => {
    throw new CorruptError(`${fileName}${line === null ? '' : `, line ${line}`}: ${message}`, hint);
  };
  if (text.trim().length === 0) fail(null, 'the file is empty.', 'Choose a file exported by VM Playground.');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const endsCleanly = text.endsWith('\n');

  const header = parseLine(lines[0], 1, fail);
  if (!isRecord(header) || header.format !== STREAM_FORMAT) {
    fail(1, 'this is not a VM Playground stream file (its first line has no stream header).', 'Choose a file exported by VM Playground.');
  }
  const h = header as Record<string, unknown>;
  if (typeof h.version !== 'number' || h.version > STREAM_FORMAT_VERSION || h.version < 1) {
    fail(1, `stream format version ${String(h.version)} is not supported; this app reads version ${STREAM_FORMAT_VERSION}.`, 'Update VM Playground to open newer files.');
  }
  let vmId: VmId = '' as VmId;
  try {
    vmId = parseVmId(h.vmId);
  } catch (e) {
    fail(1, (e as Error).message);
  }
  const expected = h.events;
  if (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 1) {
    fail(1, `the header's event count ${String(expected)} is not a positive whole number.`);
  }

  const imageCount = h.images ?? 0;
  if (typeof imageCount !== 'number' || !Number.isSafeInteger(imageCount) || imageCount < 0) fail(1, `the header's image count ${String(h.images)} is not a whole number.`);
  const images: FileImage[] = [];
  for (let i = 1; i <= (imageCount as number); i++) {
    const value = parseLine(lines[i] ?? '', i + 1, fail, i === lines.length - 1 && !endsCleanly);
    const image = isRecord(value) && isRecord(value.image) ? value.image : null;
    if (!image || typeof image.sha256 !== 'string' || typeof image.name !== 'string' || typeof image.base64 !== 'string') {
      fail(i + 1, 'expected a boot image line {"image": {sha256, name, base64}}.');
    }
    try {
      images.push({ sha256: image!.sha256 as string, name: image!.name as string, bytes: fromBase64(image!.base64 as string) });
    } catch {
      fail(i + 1, `the boot image '${String(image!.name)}' is not valid base64.`);
    }
  }

  const events: AnyStoredEvent[] = [];
  // The header says how many events there are; what follows them is the checkpoint section.
  const eventsEnd = Math.min(lines.length, 1 + (imageCount as number) + (expected as number));
  for (let i = 1 + (imageCount as number); i < eventsEnd; i++) {
    const lineNo = i + 1;
    const isLast = i === lines.length - 1;
    if (onProgress && i % 5000 === 0) onProgress(i, lines.length);
    const value = parseLine(lines[i], lineNo, fail, isLast && !endsCleanly);
    if (!isRecord(value)) fail(lineNo, 'expected an event object.');
    const raw = value as Record<string, unknown>;
    if (raw.vmId !== vmId) fail(lineNo, `the event belongs to VM '${String(raw.vmId)}', but the file is for '${vmId}'.`);
    if (raw.seq !== events.length + 1) fail(lineNo, `expected seq ${events.length + 1}, found ${String(raw.seq)}.`);
    try {
      const event = upcast(raw as never);
      const { type, v, icount, at, data } = event;
      validateEvent({ type, v, icount, at, data }, () => `Event seq ${event.seq}`);
      events.push(event);
    } catch (e) {
      if (e instanceof VmError) fail(lineNo, e.message, e.hint);
      throw e;
    }
  }
  if (events.length !== expected) {
    fail(
      lines.length,
      `the file is truncated: its header promises ${String(expected)} events, but it holds ${events.length}.`,
      'Export the VM again; the copy you chose is incomplete.',
    );
  }
  return { header: h as unknown as StreamFileHeader, images, events, trailer: lines.slice(eventsEnd), trailerLine: eventsEnd + 1 };
}

function parseLine(
  line: string,
  lineNo: number,
  fail: (line: number | null, message: string, hint?: string) => never,
  maybeCut = false,
): unknown {
  try {
    return JSON.parse(line);
  } catch (e) {
    return fail(
      lineNo,
      maybeCut ? 'the line is cut off: the file seems truncated.' : `not valid JSON (${(e as Error).message}).`,
      maybeCut ? 'Export the VM again; the copy you chose is incomplete.' : undefined,
    );
  }
}

export interface ImportResult {
  readonly vmId: VmId;
  readonly count: number;
}

/** Imports a parsed stream as a new stream, in one atomic append; refuses to overwrite an existing VM. */
export async function importStream(store: EventStore, parsed: ParsedStream, asVmId: VmId = parsed.header.vmId): Promise<ImportResult> {
  if ((await store.getLastSequenceNumber(asVmId)) > 0) {
    throw new IllegalStateError(`Cannot import VM '${asVmId}': a VM with that id exists already. Nothing was written.`, 'Delete it first, or import the file as a new VM.');
  }
  const events: AnyNewEvent[] = parsed.events.map(({ type, v, icount, at, data }) => ({ type, v, icount, at, data }) as AnyNewEvent);
  await store.append(asVmId, 'no-stream', events);
  return { vmId: asVmId, count: events.length };
}
