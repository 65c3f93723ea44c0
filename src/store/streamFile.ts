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

export const STREAM_FORMAT = 'vm-playground/stream';
export const STREAM_FORMAT_VERSION = 1;

export interface StreamFileHeader {
  readonly format: typeof STREAM_FORMAT;
  readonly version: number;
  readonly vmId: VmId;
  readonly events: number;
  readonly exportedAt: number;
}

export interface ParsedStream {
  readonly header: StreamFileHeader;
  readonly events: AnyStoredEvent[];
}

/** Writes the whole stream: a header line, then one event per line, read from the store in pages. */
export async function exportStream(store: EventStore, vmId: VmId, now: number): Promise<string> {
  const head = await store.getLastSequenceNumber(vmId);
  if (head === 0) throw new NotFoundError(`Cannot export VM '${vmId}': there is no such VM.`);
  const header: StreamFileHeader = { format: STREAM_FORMAT, version: STREAM_FORMAT_VERSION, vmId, events: head, exportedAt: now };
  const lines = [JSON.stringify(header)];
  for (let from = 1; from <= head; from += READ_PAGE) {
    for (const e of await store.loadEvents(vmId, from, Math.min(head, from + READ_PAGE - 1))) lines.push(JSON.stringify(e));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Reads and checks a stream file completely: header, every line's JSON, seq order, schema
 * (upcasting older versions) and the event count. Errors name the file and the line.
 */
export function parseStreamFile(text: string, fileName = 'the file'): ParsedStream {
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

  const events: AnyStoredEvent[] = [];
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const isLast = i === lines.length - 1;
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
  return { header: h as unknown as StreamFileHeader, events };
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
