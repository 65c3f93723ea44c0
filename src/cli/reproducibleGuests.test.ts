// The committed guest images must be exactly what their sources build to (issue: reproducible build).
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const hasToolchain = spawnSync('riscv64-unknown-elf-gcc', ['--version']).status === 0;

describe('public/guests', () => {
  it.skipIf(!hasToolchain)(
    hasToolchain
      ? 'matches a fresh build of guests/ byte for byte'
      : 'matches a fresh build of guests/ (skipped: riscv64-unknown-elf-gcc is not installed; run scripts/setup.sh)',
    () => {
      const out = execFileSync('bash', ['guests/check-reproducible.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toContain('matches a fresh build byte for byte');
    },
    180_000,
  );
});
