// Typed domain errors: a stable code, a message a person can act on, and an optional hint.

export type ErrorCode = 'IllegalState' | 'NotFound' | 'Concurrency' | 'Validation' | 'Quota' | 'Corrupt';

/** The shape in which an error crosses the worker boundary. */
export interface ErrorPayload {
  readonly code: ErrorCode | 'Internal';
  readonly message: string;
  readonly hint?: string;
}

export class VmError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = `${code}Error`;
    this.code = code;
    if (hint !== undefined) this.hint = hint;
  }

  toPayload(): ErrorPayload {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

export class IllegalStateError extends VmError {
  constructor(message: string, hint?: string) {
    super('IllegalState', message, hint);
  }
}

export class NotFoundError extends VmError {
  constructor(message: string, hint?: string) {
    super('NotFound', message, hint);
  }
}

export class ConcurrencyError extends VmError {
  readonly expected: number | 'any' | 'no-stream';
  readonly actual: number;

  constructor(vmId: string, expected: number | 'any' | 'no-stream', actual: number) {
    const wanted = expected === 'no-stream' ? 'no stream yet' : `head at seq ${String(expected)}`;
    super(
      'Concurrency',
      `Cannot append to VM '${vmId}': expected ${wanted}, but the stream is at seq ${actual}. Nothing was written.`,
      'Another writer got there first; reload the VM and try again.',
    );
    this.expected = expected;
    this.actual = actual;
  }
}

export class ValidationError extends VmError {
  constructor(message: string, hint?: string) {
    super('Validation', message, hint);
  }
}

export class QuotaError extends VmError {
  constructor(message: string, hint?: string) {
    super('Quota', message, hint);
  }
}

export class CorruptError extends VmError {
  constructor(message: string, hint?: string) {
    super('Corrupt', message, hint);
  }
}

/** Maps anything thrown to the payload that crosses the worker boundary, keeping codes and hints. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof VmError) return error.toPayload();
  if (error instanceof Error) return { code: 'Internal', message: error.message };
  return { code: 'Internal', message: String(error) };
}
