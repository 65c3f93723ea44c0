// The state hash is stored in checkpoints and exported files: its definition must not change.
import { describe, expect, it } from 'vitest';
import { combineDigest } from './stateHash.ts';

describe('combineDigest', () => {
  it('hashes the concatenation of its parts, giving the digests recorded before it read them in place', () => {
    const parts = [Int32Array.from([1, -2]), [3], Int32Array.from([0x7fffffff, -0x80000000]), [5]];
    // Computed by the version that first joined the words into one array.
    expect(combineDigest(parts, [0x1234, 0x5678])).toBe('a1ee8a279673fde5');
    expect(combineDigest([[1, -2, 3, 0x7fffffff, -0x80000000, 5]], [0x1234, 0x5678])).toBe('a1ee8a279673fde5');
    expect(combineDigest([[1, -2, 3, 0x7fffffff, -0x80000000, 6]], [0x1234, 0x5678])).not.toBe('a1ee8a279673fde5');
  });
});
