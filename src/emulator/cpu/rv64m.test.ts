// M extension: every operation against a BigInt reference over edge values.
import { describe, expect, it } from 'vitest';
import { div64, mul64, mulh64, mulhsu64, mulhu64, result } from './int64.ts';

const VALUES = [
  0n, 1n, 2n, 3n, 7n, 10n, -1n, -2n, -7n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 0x1234_5678_9abc_def0n,
  -(1n << 63n), (1n << 63n) - 1n, -0x8000_0000n, 0xdead_beef_cafe_f00dn, 1n << 52n, (1n << 53n) + 1n,
].map((v) => BigInt.asIntN(64, v));

const hi = (v: bigint) => Number(BigInt.asIntN(32, v >> 32n));
const lo = (v: bigint) => Number(BigInt.asIntN(32, v));
const got = () => BigInt.asIntN(64, (BigInt(result.hi) << 32n) | BigInt(result.lo >>> 0));
const s = (v: bigint) => BigInt.asIntN(64, v);
const u = (v: bigint) => BigInt.asUintN(64, v);

function reference(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case 'mul':
      return s(a * b);
    case 'mulh':
      return s((a * b) >> 64n);
    case 'mulhsu':
      return s((a * u(b)) >> 64n);
    case 'mulhu':
      return s((u(a) * u(b)) >> 64n);
    case 'div':
      if (b === 0n) return -1n;
      if (a === -(1n << 63n) && b === -1n) return a;
      return s(a / b);
    case 'divu':
      return b === 0n ? -1n : s(u(a) / u(b));
    case 'rem':
      if (b === 0n) return a;
      if (a === -(1n << 63n) && b === -1n) return 0n;
      return s(a % b);
    default:
      return b === 0n ? a : s(u(a) % u(b));
  }
}

function run(op: string, a: bigint, b: bigint): bigint {
  const args = [hi(a), lo(a), hi(b), lo(b)] as const;
  switch (op) {
    case 'mul':
      mul64(...args);
      break;
    case 'mulh':
      mulh64(...args);
      break;
    case 'mulhsu':
      mulhsu64(...args);
      break;
    case 'mulhu':
      mulhu64(...args);
      break;
    case 'div':
      div64(...args, true, false);
      break;
    case 'divu':
      div64(...args, false, false);
      break;
    case 'rem':
      div64(...args, true, true);
      break;
    default:
      div64(...args, false, true);
  }
  return got();
}

describe('M extension', () => {
  for (const op of ['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu']) {
    it(`${op} matches the reference on edge values, including division by zero and overflow`, () => {
      for (const a of VALUES) {
        for (const b of VALUES) {
          expect(run(op, a, b), `${op}(${a}, ${b})`).toBe(reference(op, a, b));
        }
      }
    });
  }
});
