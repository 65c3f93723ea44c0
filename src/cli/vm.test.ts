// The `npm run vm` command line: arguments, exit statuses and messages (design.md §10).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jal, li, program, sb, sw } from '../emulator/testing/rv64Encoder.ts';
import { parseVmArgs, unescapeText, UsageError } from './parseVmArgs.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const dir = mkdtempSync(join(tmpdir(), 'vm-cli-'));

function vm(...args: string[]) {
  const r = spawnSync(TSX, ['src/cli/vm.ts', ...args], { cwd: ROOT, encoding: 'utf8', input: '', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function image(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const hello = image(
  'hello.bin',
  program([...li(10, 0x1000_0000n), ...li(5, 0x4fn), sb(10, 5, 0), ...li(5, 0x4bn), sb(10, 5, 0), ...li(11, 0x10_0000n), ...li(6, 0x5555n), sw(11, 6, 0), jal(0, 0)]),
);
const spin = image('spin.bin', program([jal(0, 0)]));

describe('parseVmArgs', () => {
  it('pairs each --expect with its --send and unescapes the text', () => {
    const a = parseVmArgs(['x.bin', '--expect', '=> ', '--send', 'version\\r', '--until', 'gcc', '--stats']);
    expect(a.bios).toBe('x.bin');
    expect(a.script).toHaveLength(1);
    expect(a.script[0].send).toBe('version\r');
    expect(a.until?.source).toBe('gcc');
    expect(a.stats).toBe(true);
  });

  it('understands \\xNN, \\n, \\t and \\\\ escapes', () => {
    expect(unescapeText('a\\x41\\n\\t\\\\')).toBe('aA\n\t\\');
  });

  it('refuses a --send without --expect, unknown flags, bad numbers and a missing image', () => {
    expect(() => parseVmArgs(['x', '--send', 'a'])).toThrow(UsageError);
    expect(() => parseVmArgs(['x', '--frobnicate'])).toThrow(/unknown option --frobnicate/);
    expect(() => parseVmArgs(['x', '--memory', 'lots'])).toThrow(/--memory/);
    expect(() => parseVmArgs([])).toThrow(/no image/);
    expect(() => parseVmArgs(['x', '--record'])).toThrow(/--record needs a value/);
  });
});

describe('npm run vm', () => {
  it('--help explains the options, the recording flags included', () => {
    const r = vm('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--max-instructions');
    expect(r.stdout).toMatch(/--record FILE.*--replay FILE.*--print-state.*--verify FILE/s);
  });

  it('prints the guest output and exits 0 when the guest powers off', () => {
    const r = vm(hello, '--stats');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('OK');
    expect(JSON.parse(r.stderr.trim().split('\n').pop()!)).toMatchObject({ instructions: expect.any(Number), mips: expect.any(Number) });
  });

  it('exits 0 when --until matches', () => {
    expect(vm(hello, '--until', 'O').status).toBe(0);
  });

  it('exits 3 when --max-instructions runs out', () => {
    const r = vm(spin, '--max-instructions', '100000');
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('--max-instructions 100000 ran out');
  });

  it('exits 1 with the code on stderr when an HTIF test fails', () => {
    const r = vm(join(ROOT, 'guests/conformance/bin/htif-exit7.elf'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('code 7');
  });

  it('exits 2 naming the file when the image is missing', () => {
    const r = vm(join(dir, 'nope.bin'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('nope.bin');
    expect(r.stderr).toContain('no such file');
  });

  it('exits 2 naming the file when an ELF is truncated', () => {
    const truncated = image('truncated.elf', Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0));
    const r = vm(truncated);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('truncated.elf');
  });

  it('exits 2 on an empty image and on bad arguments', () => {
    expect(vm(image('empty.bin', new Uint8Array(0))).status).toBe(2);
    expect(vm(hello, '--memory', '0').status).toBe(2);
  });
});
