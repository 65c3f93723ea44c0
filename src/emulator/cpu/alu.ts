// 64-bit shifts on (hi, lo) register pairs, shared by OP and OP-IMM. They take the source register's
// number, not its halves: an int32 argument outside the engine's small-integer range is boxed into a
// heap number on every call that is not inlined.

export function shiftLeft(xlo: Int32Array, xhi: Int32Array, rd: number, rs1: number, sh: number): void {
  const lo = xlo[rs1];
  const hi = xhi[rs1];
  if (sh === 0) {
    xlo[rd] = lo;
    xhi[rd] = hi;
  } else if (sh < 32) {
    xhi[rd] = (hi << sh) | (lo >>> (32 - sh));
    xlo[rd] = lo << sh;
  } else {
    xhi[rd] = lo << (sh - 32);
    xlo[rd] = 0;
  }
}

export function shiftRightLogical(xlo: Int32Array, xhi: Int32Array, rd: number, rs1: number, sh: number): void {
  const lo = xlo[rs1];
  const hi = xhi[rs1];
  if (sh === 0) {
    xlo[rd] = lo;
    xhi[rd] = hi;
  } else if (sh < 32) {
    xlo[rd] = (lo >>> sh) | (hi << (32 - sh));
    xhi[rd] = hi >>> sh;
  } else {
    xlo[rd] = hi >>> (sh - 32);
    xhi[rd] = 0;
  }
}

export function shiftRightArith(xlo: Int32Array, xhi: Int32Array, rd: number, rs1: number, sh: number): void {
  const lo = xlo[rs1];
  const hi = xhi[rs1];
  if (sh === 0) {
    xlo[rd] = lo;
    xhi[rd] = hi;
  } else if (sh < 32) {
    xlo[rd] = (lo >>> sh) | (hi << (32 - sh));
    xhi[rd] = hi >> sh;
  } else {
    xlo[rd] = hi >> (sh - 32);
    xhi[rd] = hi >> 31;
  }
}
