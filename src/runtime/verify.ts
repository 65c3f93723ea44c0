// Verification of a recording: re-execute it from boot and check every effect it stored.
import { toHex, type AnyStoredEvent, type VmConfig } from '../domain/index.ts';
import { Replayer, type BootImages } from './replay.ts';

/** A checkpoint's position and the state hash recorded there. */
export interface CheckpointMark {
  readonly id: string;
  readonly seq: number;
  readonly icount: number;
  readonly stateHash: string;
}

export interface Divergence {
  readonly seq: number;
  readonly type: string;
  readonly expected: string;
  readonly actual: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly events: number;
  /** Effects compared with what re-execution produced. */
  readonly checked: number;
  readonly divergence: Divergence | null;
}

const printable = (s: string): string => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);

/**
 * Replays the stream from boot and compares, in seq order, the console output of every IoCompleted
 * and the pc at the end of every InstructionsExecuted with what the machine does now. The first
 * difference is reported with its seq: a recording edited or damaged after the fact, or an
 * emulator that no longer behaves as the one that recorded it. At every checkpoint (in icount
 * order) the machine's state hash is compared with the one recorded there; a difference is
 * reported at the checkpoint's seq, type 'Checkpoint'.
 */
export function verifyStream(
  config: VmConfig,
  images: BootImages,
  events: readonly AnyStoredEvent[],
  onProgress?: (seq: number) => void,
  checkpoints: readonly CheckpointMark[] = [],
): VerifyResult {
  const replayer = new Replayer(config, images);
  replayer.keepOutput = true;
  let checked = 0;
  const diverged = (e: AnyStoredEvent, expected: string, actual: string): VerifyResult => ({
    ok: false,
    events: events.length,
    checked,
    divergence: { seq: e.seq, type: e.type, expected, actual },
  });
  let next = 0;
  /** Compares the checkpoints that come before event `e` (all remaining ones when there is none). */
  const checkpointsBefore = (e: AnyStoredEvent | null): VerifyResult | null => {
    for (; next < checkpoints.length; next++) {
      const cp = checkpoints[next];
      if (e && (cp.icount > e.icount || (cp.icount === e.icount && cp.seq >= e.seq))) return null;
      const at = { seq: cp.seq, type: 'Checkpoint' };
      try {
        replayer.advance(events, cp.icount, cp.seq);
      } catch (error) {
        return { ok: false, events: events.length, checked, divergence: { ...at, expected: `icount ${cp.icount}`, actual: error instanceof Error ? error.message : String(error) } };
      }
      const actual = replayer.incarnation.machine.stateHash();
      if (actual !== cp.stateHash) {
        return { ok: false, events: events.length, checked, divergence: { ...at, expected: `state hash ${cp.stateHash} at icount ${cp.icount}`, actual: `state hash ${actual}` } };
      }
      checked++;
    }
    return null;
  };
  for (const e of events) {
    if (e.type !== 'IoCompleted' && e.type !== 'InstructionsExecuted') continue;
    const atCheckpoint = checkpointsBefore(e);
    if (atCheckpoint) return atCheckpoint;
    try {
      replayer.advance(events, e.icount, e.seq);
    } catch (error) {
      return diverged(e, `icount ${e.icount}`, error instanceof Error ? error.message : String(error));
    }
    if (e.type === 'IoCompleted' && e.data.direction === 'out') {
      const actual = replayer.output;
      replayer.output = '';
      if (actual !== e.data.bytes) return diverged(e, printable(e.data.bytes), printable(actual));
    } else if (e.type === 'InstructionsExecuted') {
      const pc = toHex(replayer.incarnation.machine.pc);
      if (pc !== e.data.pcEnd) return diverged(e, `pc ${e.data.pcEnd}`, `pc ${pc}`);
    }
    checked++;
    onProgress?.(e.seq);
  }
  const atCheckpoint = checkpointsBefore(null);
  if (atCheckpoint) return atCheckpoint;
  return { ok: true, events: events.length, checked, divergence: null };
}
