// Runs one VM's machine in short slices between commands, records its input and effects as events.
import { latin1String, newEvent, toHex, type AnyNewEvent, type StopReason } from '../domain/index.ts';
import { mtimeOf } from '../emulator/cpu/time.ts';
import { TIMEBASE_HZ } from '../emulator/layout.ts';
import type { EventDrivenVmService } from './EventDrivenVmService.ts';
import type { Incarnation } from './replay.ts';

/** Instructions per run() call: small enough to stay responsive, large enough to amortise the call. */
const SLICE_INSTRUCTIONS = 250_000;
/** Wall time the loop may run before it yields to the worker's message queue. */
const YIELD_AFTER_MS = 12;
/** Effects are appended at least this often while running (one transaction per flush). */
export const FLUSH_INTERVAL_MS = 100;
/** How far virtual time may run ahead of wall time while the guest is idle, before the loop sleeps. */
const IDLE_LEAD_MS = 20;
/**
 * Distinct routine traps (interrupts, environment calls) recorded per flush at most: a guest making
 * system calls in a tight loop would otherwise write hundreds of thousands of events a second.
 * Those beyond the cap are counted in `trapsNotRecorded`; faults and other exceptions are always
 * recorded, because they are what a person hunts for.
 */
export const MAX_TRAP_EVENTS_PER_FLUSH = 200;

const CAUSE_NAMES_PAGE_FAULT: Readonly<Record<number, 'fetch' | 'load' | 'store'>> = { 12: 'fetch', 13: 'load', 15: 'store' };
const PRIVILEGE = ['U', 'S', 'S', 'M'] as const;

export interface RunnerHooks {
  /** Console bytes as soon as the guest writes them (before they are persisted), with their offset in the VM's whole output. */
  readonly onConsole: (bytes: string, offset: number) => void;
  /** The guest powered off, rebooted or exited; the runner has flushed and stopped. */
  readonly onHalt: (reason: StopReason, exitCode: number | null) => Promise<void>;
  /** Something failed while running (for example the disk is full); the runner has stopped. */
  readonly onError: (error: unknown) => void;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Everything recorded so far is appended (the place to take a checkpoint of the head). */
  readonly onFlushed?: () => void;
  /** True when the head is due for a checkpoint: the loop then flushes early, so one can be taken. */
  readonly checkpointDue?: (icount: number) => boolean;
}


/** The tier named in CodeCompiled events: blocks translated into JavaScript functions (emulator/cpu/blocks.ts). */
export const BLOCK_TIER = 'js-block';

export class MachineRunner {
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private pendingInput: Uint8Array[] = [];
  private wakeForInput: (() => void) | null = null;
  /** Effects and inputs not yet appended. */
  private pending: AnyNewEvent[] = [];
  private flushStartIcount: number;
  private flushStartPc: number;
  private lastFlush = 0;
  /** Interrupts and environment calls recorded since the last flush: where their events are in `pending`. */
  private readonly routine = new Map<string, { trap: number; interrupt: number; count: number }>();
  /** Traps that happened but were not recorded as events because of the per-flush cap. */
  trapsNotRecorded = 0;
  /** Bytes the VM has written to its console since it was created (equals the aggregate's bytesOut once flushed). */
  private consoleOffset: number;

  constructor(
    private incarnation: Incarnation,
    private readonly service: EventDrivenVmService,
    private readonly hooks: RunnerHooks,
  ) {
    this.flushStartIcount = this.icount;
    this.flushStartPc = incarnation.machine.pc;
    this.consoleOffset = service.state.counters.bytesOut;
    this.known = incarnation.machine.ram.touched.slice();
    this.listen();
  }

  /**
   * Records traps, interrupts and page faults as they happen, in icount order with the rest.
   * Interrupts and environment calls repeat all the time (a 100 Hz timer, a program printing):
   * within one flush, repeats of the same one (same cause, same pc for a call) add to the count of
   * the first instead of adding events, so an idle guest writes tens of events a second, not hundreds.
   * Faults and other exceptions are always recorded one by one: they are what a person hunts for.
   */
  private listen(): void {
    const { machine, base } = this.incarnation;
    machine.onTrap = (t) => {
      const icount = base + t.icount;
      const at = this.hooks.now();
      const from = PRIVILEGE[t.from] ?? 'M';
      const routine = t.interrupt || t.cause === 8 || t.cause === 9 || t.cause === 11;
      const key = routine ? `${t.interrupt ? 'i' : 'e'}${t.cause}:${t.interrupt ? 0 : t.pc}` : '';
      const seen = routine ? this.routine.get(key) : undefined;
      if (seen) {
        seen.count++; // written into the events when they are flushed
        return;
      }
      if (routine && this.routine.size >= MAX_TRAP_EVENTS_PER_FLUSH) {
        this.trapsNotRecorded++;
        return;
      }
      const trap = this.pending.length;
      this.pending.push(
        newEvent('TrapTaken', { cause: t.cause, interrupt: t.interrupt, tval: toHex(t.tval), pc: toHex(t.pc), from, to: PRIVILEGE[t.to] ?? 'M' }, icount, at),
      );
      let interrupt = -1;
      if (t.interrupt) {
        interrupt = this.pending.length;
        this.pending.push(newEvent('InterruptRaised', { source: t.cause === 9 || t.cause === 11 ? 'plic' : 'clint', irq: t.cause }, icount, at));
      } else if (t.cause in CAUSE_NAMES_PAGE_FAULT) {
        this.pending.push(newEvent('PageFault', { vaddr: toHex(t.tval), access: CAUSE_NAMES_PAGE_FAULT[t.cause], pc: toHex(t.pc), privilege: from }, icount, at));
      }
      if (routine) this.routine.set(key, { trap, interrupt, count: 1 });
    };
    // Translation is an observation, not a cause: replay may translate at other moments (it runs
    // other slices), so verify does not compare these, and the machine's state never depends on them.
    machine.onCompiled = (b) => {
      const icount = base + machine.icount;
      const at = this.hooks.now();
      this.pending.push(newEvent('HotspotDetected', { pc: toHex(b.pc), hits: b.hits }, icount, at));
      this.pending.push(newEvent('CodeCompiled', { pc: toHex(b.pc), instructions: b.instructions, tier: BLOCK_TIER }, icount, at));
    };
  }

  /** The stream icount: instructions since the VM was created, across resets. */
  get icount(): number {
    return this.incarnation.base + this.incarnation.machine.icount;
  }

  get machine() {
    return this.incarnation.machine;
  }

  /** The stream icount at which the current machine booted. */
  get base(): number {
    return this.incarnation.base;
  }

  /** Console bytes written since the VM was created. */
  get outputCount(): number {
    return this.consoleOffset;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts the loop; returns at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastFlush = this.hooks.now();
    this.loopDone = this.loop().catch((error: unknown) => {
      this.running = false;
      this.hooks.onError(error);
    });
  }

  /** Stops after the current slice and appends what is pending; resolves once nothing runs. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeForInput?.();
    await this.loopDone;
    await this.flush();
  }

  /** Replaces the machine (after a reset); the runner must be stopped. */
  replace(incarnation: Incarnation): void {
    this.incarnation.machine.onTrap = undefined;
    this.incarnation.machine.onCompiled = undefined;
    this.incarnation = incarnation;
    this.known = incarnation.machine.ram.touched.slice();
    this.flushStartIcount = this.icount;
    this.flushStartPc = incarnation.machine.pc;
    this.listen();
  }

  /** Queues console input; it is delivered, and recorded with its icount, at the next slice boundary. */
  sendInput(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pendingInput.push(bytes);
    this.wakeForInput?.();
  }

  /** Appends pending effects and inputs in one transaction. */
  async flush(): Promise<void> {
    this.collectInstructions();
    this.collectAllocations();
    if (this.pending.length === 0) return;
    const events = this.pending;
    for (const { trap, interrupt, count } of this.routine.values()) {
      if (count === 1) continue;
      events[trap] = withCount(events[trap], count);
      if (interrupt >= 0) events[interrupt] = withCount(events[interrupt], count);
    }
    this.pending = [];
    this.routine.clear();
    this.lastFlush = this.hooks.now();
    await this.service.execute({ type: 'RecordEffects', events });
  }

  private deliverInput(): void {
    if (this.pendingInput.length === 0) return;
    const bytes = this.pendingInput.length === 1 ? this.pendingInput[0] : concat(this.pendingInput);
    this.pendingInput = [];
    this.collectInstructions();
    this.machine.sendInput(bytes);
    this.pending.push(newEvent('InputReceived', { device: 'uart0', bytes: latin1String(bytes) }, this.icount, this.hooks.now()));
  }

  /** Records the instructions run since the last record as one InstructionsExecuted event. */
  private collectInstructions(): void {
    const count = this.icount - this.flushStartIcount;
    if (count <= 0) return;
    const pcEnd = this.machine.pc;
    this.pending.push(
      newEvent('InstructionsExecuted', { fromIcount: this.flushStartIcount, count, pcStart: toHex(this.flushStartPc), pcEnd: toHex(pcEnd) }, this.icount, this.hooks.now()),
    );
    this.flushStartIcount = this.icount;
    this.flushStartPc = pcEnd;
  }

  /** RAM pages seen written before, so newly backed ones can be told apart. */
  private known: Uint8Array;

  /**
   * Records RAM pages the guest wrote for the first time since the last flush as MemoryAllocated
   * ranges (the host backs guest memory page by page, on first write).
   */
  private collectAllocations(): void {
    const ram = this.machine.ram;
    const known = this.known;
    this.known = ram.touched.slice();
    const icount = this.icount;
    const at = this.hooks.now();
    let start = -1;
    for (let p = 0; p <= known.length; p++) {
      const fresh = p < known.length && ram.touched[p] === 1 && known[p] === 0;
      if (fresh && start < 0) start = p;
      if (!fresh && start >= 0) {
        this.pending.push(newEvent('MemoryAllocated', { base: toHex(ram.base + start * 4096), pages: p - start }, icount, at));
        start = -1;
      }
    }
  }

  private collectOutput(): void {
    const out = this.machine.drainOutput();
    if (out.length === 0) return;
    const bytes = latin1String(out);
    this.hooks.onConsole(bytes, this.consoleOffset);
    this.consoleOffset += bytes.length;
    this.collectInstructions();
    this.pending.push(newEvent('IoCompleted', { device: 'uart0', direction: 'out', bytes }, this.icount, this.hooks.now()));
  }

  private async loop(): Promise<void> {
    const machine = () => this.incarnation.machine;
    // Virtual time follows wall time only while the guest idles; a busy guest runs at full speed.
    let wallAnchor = this.hooks.now();
    let virtualAnchor = this.virtualMs();
    while (this.running) {
      this.deliverInput();
      const sliceStart = this.hooks.now();
      let reason: string;
      let exitCode: number | null;
      let idled = false;
      do {
        const offsetBefore = machine().cpu.timeOffset;
        const result = machine().run(SLICE_INSTRUCTIONS);
        idled ||= machine().cpu.timeOffset !== offsetBefore;
        reason = result.reason;
        exitCode = result.exitCode ?? null;
        this.collectOutput();
      } while (reason === 'budget' && !idled && this.hooks.now() - sliceStart < YIELD_AFTER_MS && this.pendingInput.length === 0);

      if (this.hooks.now() - this.lastFlush >= FLUSH_INTERVAL_MS || this.hooks.checkpointDue?.(this.icount)) {
        await this.flush();
        if (this.running) this.hooks.onFlushed?.();
      }

      if (reason === 'poweroff' || reason === 'reboot' || reason === 'htif-exit') {
        this.running = false;
        await this.flush();
        await this.hooks.onHalt(reason === 'reboot' ? 'reboot' : 'poweroff', reason === 'reboot' ? null : exitCode);
        return;
      }
      if (reason === 'waiting-for-input') {
        await this.flush();
        if (this.pendingInput.length === 0 && this.running) await new Promise<void>((wake) => (this.wakeForInput = wake));
        this.wakeForInput = null;
        wallAnchor = this.hooks.now();
        virtualAnchor = this.virtualMs();
        continue;
      }
      const ahead = this.virtualMs() - virtualAnchor - (this.hooks.now() - wallAnchor);
      if (idled && ahead > IDLE_LEAD_MS) {
        await this.sleepOrInput(Math.min(ahead, 250));
      } else {
        if (!idled) {
          wallAnchor = this.hooks.now();
          virtualAnchor = this.virtualMs();
        }
        await this.hooks.sleep(0);
      }
    }
  }

  private sleepOrInput(ms: number): Promise<void> {
    return Promise.race([this.hooks.sleep(ms), new Promise<void>((wake) => (this.wakeForInput = wake))]).then(() => {
      this.wakeForInput = null;
    });
  }

  /** Virtual milliseconds since boot: mtime at the 10 MHz timebase. */
  private virtualMs(): number {
    return (mtimeOf(this.incarnation.machine.cpu) / TIMEBASE_HZ) * 1000;
  }
}

/** The same event with `count` set in its data (TrapTaken or InterruptRaised). */
function withCount(event: AnyNewEvent, count: number): AnyNewEvent {
  return { ...event, data: { ...event.data, count } } as AnyNewEvent;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
