// 64-bit integer arithmetic on (hi, lo) pairs of int32, used by the M extension without BigInt on common paths.

const TWO_32 = 4294967296;

/** High 32 bits of the unsigned 64-bit product of two uint32 values. */
export function mulhu32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const t = a0 * b0;
  const m1 = a1 * b0 + (t >>> 16);
  const m2 = a0 * b1 + (m1 & 0xffff);
  return (a1 * b1 + Math.floor(m1 / 65536) + Math.floor(m2 / 65536)) | 0;
}

/** Result registers of the last 64-bit operation (avoids allocating a tuple per instruction). */
/**
 * The (hi, lo) pair of the last operation, kept in an Int32Array behind accessors: storing an int32
 * outside the engine's small-integer range into a plain field can allocate a heap number each time
 * (31-bit small integers in Chromium), a typed-array store never does.
 */
class Pair {
  private readonly v = new Int32Array(2);

  get lo(): number {
    return this.v[0];
  }

  set lo(value: number) {
    this.v[0] = value;
  }

  get hi(): number {
    return this.v[1];
  }

  set hi(value: number) {
    this.v[1] = value;
  }
}

export const result = new Pair();

/** Low 64 bits of a * b. */
export function mul64(ahi: number, alo: number, bhi: number, blo: number): void {
  result.lo = Math.imul(alo, blo);
  result.hi = (mulhu32(alo, blo) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
}

/** High 64 bits of the unsigned 128-bit product a * b. */
export function mulhu64(ahi: number, alo: number, bhi: number, blo: number): void {
  const a0 = alo >>> 0;
  const a1 = ahi >>> 0;
  const b0 = blo >>> 0;
  const b1 = bhi >>> 0;
  const p00hi = mulhu32(a0, b0) >>> 0;
  const p01lo = Math.imul(a0, b1) >>> 0;
  const p01hi = mulhu32(a0, b1) >>> 0;
  const p10lo = Math.imul(a1, b0) >>> 0;
  const p10hi = mulhu32(a1, b0) >>> 0;
  const p11lo = Math.imul(a1, b1) >>> 0;
  const p11hi = mulhu32(a1, b1) >>> 0;
  const mid = p00hi + p01lo + p10lo;
  const carry1 = Math.floor(mid / TWO_32);
  const w2 = p01hi + p10hi + p11lo + carry1;
  const carry2 = Math.floor(w2 / TWO_32);
  result.lo = w2 | 0;
  result.hi = (p11hi + carry2) | 0;
}

function sub64From(hi: number, lo: number, shi: number, slo: number): void {
  const borrow = (lo >>> 0) < (slo >>> 0) ? 1 : 0;
  result.lo = (lo - slo) | 0;
  result.hi = (hi - shi - borrow) | 0;
}

/** High 64 bits of the signed product (MULH). */
export function mulh64(ahi: number, alo: number, bhi: number, blo: number): void {
  mulhu64(ahi, alo, bhi, blo);
  if (ahi < 0) sub64From(result.hi, result.lo, bhi, blo);
  if (bhi < 0) sub64From(result.hi, result.lo, ahi, alo);
}

/** High 64 bits of signed a times unsigned b (MULHSU). */
export function mulhsu64(ahi: number, alo: number, bhi: number, blo: number): void {
  mulhu64(ahi, alo, bhi, blo);
  if (ahi < 0) sub64From(result.hi, result.lo, bhi, blo);
}

function toBig(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

function fromBig(v: bigint): void {
  result.lo = Number(BigInt.asIntN(32, v));
  result.hi = Number(BigInt.asIntN(32, v >> 32n));
}

/**
 * Division and remainder with the RISC-V rules (unpriv. spec 13.2): x/0 = -1, x%0 = x,
 * MIN/-1 = MIN, MIN%-1 = 0. Small operands use doubles; the rest falls back to BigInt.
 */
export function div64(ahi: number, alo: number, bhi: number, blo: number, signed: boolean, remainder: boolean): void {
  if (bhi === 0 && blo === 0) {
    if (remainder) {
      result.hi = ahi;
      result.lo = alo;
    } else {
      result.hi = -1;
      result.lo = -1;
    }
    return;
  }
  if (signed) {
    if (ahi === (alo >> 31) && bhi === (blo >> 31)) {
      const a = alo | 0;
      const b = blo | 0;
      if (a === -2147483648 && b === -1) {
        // The quotient 2^31 does not overflow 64 bits.
        result.lo = remainder ? 0 : -2147483648;
        result.hi = 0;
        return;
      }
      const v = remainder ? a % b : Math.trunc(a / b);
      result.lo = v | 0;
      result.hi = v < 0 ? -1 : 0;
      return;
    }
    const a = toBig(ahi, alo);
    const b = toBig(bhi, blo);
    if (b === -1n && a === -(1n << 63n)) {
      if (remainder) fromBig(0n);
      else fromBig(a);
      return;
    }
    fromBig(remainder ? a % b : a / b);
    return;
  }
  if (ahi === 0 && bhi === 0) {
    const a = alo >>> 0;
    const b = blo >>> 0;
    const v = remainder ? a % b : Math.floor(a / b);
    result.lo = v | 0;
    result.hi = 0;
    return;
  }
  const a = BigInt.asUintN(64, toBig(ahi, alo));
  const b = BigInt.asUintN(64, toBig(bhi, blo));
  fromBig(remainder ? a % b : a / b);
}
