// A fixed pseudo-random sequence for tests: the same numbers for the same seed, on every host.

/** xorshift32 from `seed`: each call returns the next unsigned 32-bit number. */
export function rng(seed: number): () => number {
  let x = seed | 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}
