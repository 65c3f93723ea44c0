// The CLI's recording flags: record through the runtime, verify, tamper, print the state at a seq.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printState, record, verifyFile } from './recording.ts';
import { setTranslation } from '../runtime/replay.ts';
import { parseVmArgs, UsageError } from './parseVmArgs.ts';

describe('vm --record, --verify, --replay --print-state', () => {
  it('records a scripted session that verifies, and spots one changed input byte', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vm-rec-')), 'session.jsonl');
    let console = '';
    const code = await record(
      {
        file,
        bios: { name: 'os.elf', bytes: new Uint8Array(readFileSync('public/guests/os.elf')) },
        script: [{ expect: /\$ $/, send: 'echo recorded\r' }],
        until: /recorded\r?\n\$ $/,
        timeoutMs: 60_000,
      },
      (t) => (console += t),
    );
    expect(code).toBe(0);
    expect(console).toContain('recorded');
    let out = '';
    expect(await verifyFile(file, (t) => (out += t))).toBe(0);
    expect(out).toMatch(/effects re-derived and equal/);

    let state = '';
    expect(await printState(file, 3, (t) => (state += t))).toBe(0);
    expect(JSON.parse(state)).toMatchObject({ seq: 3, pc: expect.stringMatching(/^0x/), stateHash: expect.stringMatching(/^[0-9a-f]{16}$/) });

    const text = readFileSync(file, 'utf8');
    const tampered = text.replace('"bytes":"echo recorded\\r"', '"bytes":"echo recordeD\\r"');
    expect(tampered).not.toBe(text);
    writeFileSync(file, tampered);
    out = '';
    expect(await verifyFile(file, (t) => (out += t))).toBe(1);
    expect(out).toMatch(/diverges at seq \d+ \(IoCompleted\)/);
  }, 120_000);

  it('verifies a recording made by the interpreter alone with translation, and the other way round', async () => {
    for (const [recordTranslated, verifyTranslated] of [
      [false, true],
      [true, false],
    ]) {
      const file = join(mkdtempSync(join(tmpdir(), 'vm-rec-')), 'session.jsonl');
      try {
        setTranslation(recordTranslated);
        const code = await record(
          {
            file,
            bios: { name: 'os.elf', bytes: new Uint8Array(readFileSync('public/guests/os.elf')) },
            script: [{ expect: /\$ $/, send: 'run sort\r' }],
            until: /sort: 16 values in order[^]*\$ $/,
            timeoutMs: 60_000,
          },
          () => {},
        );
        expect(code).toBe(0);
        const compiled = readFileSync(file, 'utf8').includes('"CodeCompiled"');
        expect(compiled, 'CodeCompiled events only when recorded with translation').toBe(recordTranslated);
        setTranslation(verifyTranslated);
        let out = '';
        expect(await verifyFile(file, (t) => (out += t))).toBe(0);
        expect(out).toMatch(/effects re-derived and equal/);
      } finally {
        setTranslation(true);
      }
    }
  }, 120_000);

  it('takes --interpret', () => {
    expect(parseVmArgs(['os.elf', '--interpret'])).toMatchObject({ bios: 'os.elf', interpret: true });
    expect(parseVmArgs(['--verify', 'x.jsonl', '--interpret'])).toMatchObject({ verify: 'x.jsonl', interpret: true });
    expect(parseVmArgs(['os.elf']).interpret).toBeUndefined();
  });

  it('refuses flag combinations that make no sense', () => {
    expect(() => parseVmArgs(['--replay', 'x.jsonl'])).toThrow(UsageError);
    expect(() => parseVmArgs(['--seek', '3', 'os.elf'])).toThrow(/--seek and --print-state go with --replay/);
    expect(() => parseVmArgs(['--verify', 'x.jsonl', 'os.elf'])).toThrow(/take no image/);
    expect(parseVmArgs(['--replay', 'x.jsonl', '--seek', '4', '--print-state'])).toMatchObject({ replay: 'x.jsonl', seek: 4, printState: true });
  });
});

describe('console patterns', () => {
  it('take a $ that is not at the end as the character, so a prompt can be written as it looks', async () => {
    const { literalDollars } = await import('./parseVmArgs.ts');
    expect(literalDollars('$ ')).toBe('\\$ ');
    expect(new RegExp(literalDollars('$ ')).test('ok\n$ ')).toBe(true);
    expect(literalDollars('done$')).toBe('done$');
    expect(literalDollars('a$|b$')).toBe('a$|b$');
    expect(literalDollars('[$] \\$ x')).toBe('[$] \\$ x');
    expect(literalDollars('(end$)')).toBe('(end$)');
  });
});
