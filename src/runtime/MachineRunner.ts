// Runs one VM's machine in short slices between commands, records its input and effects as events.
import { latin1String, newEvent, toHex, type AnyNewEvent, type AnyStoredEvent, type StopReason } from '../domain/index.ts';
import { mtimeOf } from '../emulator/cpu/time.ts';
import { TIMEBASE_HZ } from '../emulator/layout.ts';
import { appendAll } from '../store/batch.ts';
import type { EventDrivenVmService } from './EventDrivenVmService.ts';
import type { Incarnation } from './replay.ts';

/** Instructions per run() call: small enough to stay responsive, large enough to amortise the call. */
const SLICE_INSTRUCTIONS = 250_000;
/** Wall time the loop may run before it yields to the worker's message queue. */
const YIELD_AFTER_MS = 12;
/** Effects are appended at least this often while running (one transaction per flush). */
export const FLUSH_INTERVAL_MS = 100;
/** Events cut and waiting for a transaction beyond which the loop waits for storage. */
const MAX_READY_EVENTS = 20_000;
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
  /** True when the head is due for a checkpoint: the loop then flushes early, so one can be taken. */
  readonly checkpointDue?: (icount: number) => boolean;
  /**
   * Called at a flush while the loop runs: takes the head's state now, if a checkpoint is due, and
   * returns what places it in history once the flushed effects have their seqs (the last one's is
   * given; null when they could not be stored), or null. The machine runs on while the flush is written.
   */
  readonly captureHead?: () => ((appliedSeq: number | null) => void) | null;
}


/** The tier named in CodeCompiled events: blocks translated into WebAssembly or JavaScript functions (emulator/cpu/blocks.ts). */
export const BLOCK_TIERS = { wasm: 'wasm-block', js: 'js-block' } as const;

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
  /** Batches of effects cut and waiting for their transaction, in order. */
  private ready: AnyNewEvent[] = [];
  /** Head checkpoints taken at cuts: `after` events of `ready` precede each. */
  private marks: { readonly after: number; readonly place: (appliedSeq: number | null) => void }[] = [];
  /** The appending under way (appendReady), or null. */
  private appending: Promise<void> | null = null;
  /** The first append that failed: the loop stops at its next flush. */
  private appendFailure: unknown = null;
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
    this.knownVersion = incarnation.machine.ram.touchedVersion;
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
    const tier = BLOCK_TIERS[machine.cpu.blocks?.backend ?? 'js'];
    machine.onCompiled = (b) => {
      const icount = base + machine.icount;
      const at = this.hooks.now();
      this.pending.push(newEvent('HotspotDetected', { pc: toHex(b.pc), hits: b.hits }, icount, at));
      this.pending.push(newEvent('CodeCompiled', { pc: toHex(b.pc), instructions: b.instructions, tier }, icount, at));
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
    this.knownVersion = incarnation.machine.ram.touchedVersion;
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

  /** Appends everything recorded so far (after the appends under way); resolves once it is stored. */
  async flush(): Promise<void> {
    this.cut();
    for (;;) {
      if (this.appending) await this.appending;
      this.throwAppendFailure();
      if (this.ready.length === 0 && this.marks.length === 0) return;
      this.appendReady();
    }
  }

  /**
   * Ends the current batch of effects, as a flush does (the instructions run so far, new pages, the
   * counts of repeated traps) and queues it for appending; returns how many events are queued.
   */
  private cut(): number {
    this.collectInstructions();
    this.collectAllocations();
    this.lastFlush = this.hooks.now();
    const events = this.pending;
    for (const { trap, interrupt, count } of this.routine.values()) {
      if (count === 1) continue;
      events[trap] = withCount(events[trap], count);
      if (interrupt >= 0) events[interrupt] = withCount(events[interrupt], count);
    }
    this.pending = [];
    this.routine.clear();
    appendAll(this.ready, events);
    return this.ready.length;
  }

  /**
   * Appends what is queued, one transaction at a time, while the loop runs on: waiting for each to
   * commit left a recording VM idle a fifth of its time in Chromium, where every IndexedDB round
   * trip waits for the loop to yield (bench/travel, a CPU profile of the worker). Batches cut while
   * a transaction is under way go together in the next one, with the checkpoints taken at their cuts.
   */
  private appendReady(): void {
    if (this.appending !== null) return;
    const run = async () => {
      while (this.ready.length > 0 || this.marks.length > 0) {
        const events = this.ready;
        const marks = this.marks;
        this.ready = [];
        this.marks = [];
        let stored: readonly AnyStoredEvent[] = [];
        try {
          if (events.length > 0) stored = await this.service.execute({ type: 'RecordEffects', events });
        } catch (error) {
          for (const mark of marks) mark.place(null);
          throw error;
        }
        const before = stored.length > 0 ? stored[0].seq - 1 : this.service.state.version;
        for (const mark of marks) mark.place(mark.after > 0 ? stored[mark.after - 1].seq : before);
      }
    };
    this.appending = run()
      .catch((error: unknown) => {
        // What was cut after the failed batch is dropped with it: the runner stops.
        this.appendFailure ??= error;
        for (const mark of this.marks) mark.place(null);
        this.marks = [];
        this.ready = [];
      })
      .finally(() => (this.appending = null));
  }

  private throwAppendFailure(): void {
    const failure = this.appendFailure;
    if (failure === null) return;
    this.appendFailure = null;
    throw failure;
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

  /** RAM pages seen written before, so newly backed ones can be told apart, and ram.touchedVersion then. */
  private known: Uint8Array;
  private knownVersion = -1;

  /**
   * Records RAM pages the guest wrote for the first time since the last flush as MemoryAllocated
   * ranges (the host backs guest memory page by page, on first write).
   */
  private collectAllocations(): void {
    const ram = this.machine.ram;
    // Nothing touched for the first time since the last look (the common case): no scan, no copy.
    if (ram.touchedVersion === this.knownVersion) return;
    this.knownVersion = ram.touchedVersion;
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
        this.throwAppendFailure();
        const after = this.cut();
        const place = this.hooks.captureHead?.();
        if (place) this.marks.push({ after, place });
        this.appendReady();
        // Storage slower than the machine: wait rather than pile up unwritten history.
        if (this.ready.length > MAX_READY_EVENTS && this.appending) await this.appending;
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
