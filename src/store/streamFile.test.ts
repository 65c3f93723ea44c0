// Stream files: a bad file is refused with the line and the problem, and nothing is written.
import { describe, expect, it } from 'vitest';
import { asVmId, newEvent, VmError } from '../domain/index.ts';
import { TEST_CONFIG } from '../domain/testing/fixtures.ts';
import { InMemoryEventStore } from './InMemoryEventStore.ts';
import { exportStream, importStream, parseStreamFile } from './streamFile.ts';

const VM = asVmId('vm-file');

async function exported(): Promise<string> {
  const store = new InMemoryEventStore();
  await store.append(VM, 'no-stream', [
    newEvent('VmCreated', { name: 'file test', config: TEST_CONFIG }, 0, 1),
    newEvent('VmStarted', {}, 0, 2),
    newEvent('IoCompleted', { device: 'uart0', direction: 'out', bytes: 'héllo\r\n\x00\xff' }, 10, 3),
    newEvent('VmStopped', { reason: 'poweroff', exitCode: 0 }, 20, 4),
  ]);
  return exportStream(store, VM, 5);
}

function refusal(text: string): VmError {
  try {
    parseStreamFile(text, 'x.vmstream.jsonl');
  } catch (e) {
    expect(e).toBeInstanceOf(VmError);
    return e as VmError;
  }
  throw new Error('the file was accepted');
}

describe('stream files', () => {
  it('round-trip every byte of console data', async () => {
    const parsed = parseStreamFile(await exported());
    expect(parsed.events).toHaveLength(4);
    expect(parsed.events[2].data).toMatchObject({ bytes: 'héllo\r\n\x00\xff' });
  });

  it('refuse an empty file', () => {
    expect(refusal('').message).toBe('x.vmstream.jsonl: the file is empty.');
  });

  it('refuse a file that is not a stream', () => {
    expect(refusal('{"hello":1}\n').message).toMatch(/line 1: this is not a VM Playground stream file/);
    expect(refusal('\x89PNG\r\n\x1a\n').message).toMatch(/line 1: not valid JSON/);
  });

  it('refuse a newer format version with a hint to update', async () => {
    const text = (await exported()).replace(/"version":\d+/, '"version":9');
    const error = refusal(text);
    expect(error.message).toMatch(/line 1: stream format version 9 is not supported/);
    expect(error.hint).toMatch(/Update/);
  });

  it('name the line of a malformed event', async () => {
    const lines = (await exported()).split('\n');
    lines[3] = lines[3].replace('"device":"uart0"', '"device":""');
    expect(refusal(lines.join('\n')).message).toMatch(/line 4: Event seq 3 \(IoCompleted\) data\.device must be a non-empty string/);
  });

  it('name the line where seqs stop following each other', async () => {
    const lines = (await exported()).split('\n');
    lines[3] = lines[3].replace('"seq":3', '"seq":7');
    expect(refusal(lines.join('\n')).message).toMatch(/line 4: expected seq 3, found 7/);
  });

  it('say a file cut in the middle of a line is truncated', async () => {
    const text = await exported();
    const error = refusal(text.slice(0, text.length - 30));
    expect(error.message).toMatch(/line 5: the line is cut off: the file seems truncated/);
  });

  it('say a file cut at a line end is truncated, with the counts', async () => {
    const text = await exported();
    const lines = text.split('\n');
    expect(refusal(`${lines.slice(0, 4).join('\n')}\n`).message).toMatch(/truncated: its header promises 4 events, but it holds 3/);
  });

  it('write nothing when the file is refused', async () => {
    const store = new InMemoryEventStore();
    const text = (await exported()).replace('"seq":4', '"seq":5');
    await expect(async () => importStream(store, parseStreamFile(text))).rejects.toThrow(/expected seq 4/);
    expect(await store.listVmIds()).toEqual([]);
  });

  it('upcast events of older versions while reading', async () => {
    const text = (await exported()).replace('"v":2,"icount":20,"at":4,"data":{"reason":"poweroff","exitCode":0}', '"v":1,"icount":20,"at":4,"data":{"reason":"poweroff"}');
    expect(text).toContain('"v":1,"icount":20');
    const parsed = parseStreamFile(text);
    expect(parsed.events[3]).toMatchObject({ v: 2, data: { reason: 'poweroff', exitCode: 0 } });
  });
});
