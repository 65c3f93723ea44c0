// Commands a VM accepts: imperative names, each decided into events by the aggregate.
import type { AnyNewEvent, PauseReason, StopReason, VmConfig } from './events.ts';

export type Command =
  | { readonly type: 'CreateVm'; readonly name: string; readonly config: VmConfig; readonly forkedFrom?: { vmId: string; seq: number } }
  | { readonly type: 'RenameVm'; readonly name: string }
  | { readonly type: 'StartVm' }
  | { readonly type: 'PauseVm'; readonly reason?: PauseReason }
  | { readonly type: 'ResumeVm' }
  | { readonly type: 'StopVm'; readonly reason?: StopReason; readonly exitCode?: number | null }
  | { readonly type: 'ResetVm' }
  | { readonly type: 'RecordInput'; readonly device: string; readonly bytes: string }
  /** What the machine did in a run slice, with the input it consumed, in icount order. */
  | { readonly type: 'RecordEffects'; readonly events: readonly AnyNewEvent[] }
  | { readonly type: 'CreateSnapshot'; readonly id: string; readonly name: string; readonly size: number }
  | { readonly type: 'RestoreSnapshot'; readonly id: string }
  | { readonly type: 'DeleteSnapshot'; readonly id: string };

export type CommandType = Command['type'];

/** How a person would say each command, for error messages. */
export const COMMAND_VERB: { readonly [C in CommandType]: string } = {
  CreateVm: 'create',
  RenameVm: 'rename',
  StartVm: 'start',
  PauseVm: 'pause',
  ResumeVm: 'resume',
  StopVm: 'stop',
  ResetVm: 'reset',
  RecordInput: 'send input to',
  RecordEffects: 'record machine effects for',
  CreateSnapshot: 'snapshot',
  RestoreSnapshot: 'restore a snapshot of',
  DeleteSnapshot: 'delete a snapshot of',
};

/** Context the caller supplies, so decide stays pure: the wall clock and the machine's icount. */
export interface DecideContext {
  readonly now: number;
  /** Instructions retired so far; defaults to the last icount the stream recorded. */
  readonly icount?: number;
}
