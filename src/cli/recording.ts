// The CLI's recording side: --record runs a guest through the same runtime as the browser and writes
// the recording; --replay/--seek/--print-state and --verify read one back (design.md §10).
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { VmError, type VmId } from '../domain/index.ts';
import { InMemoryEventStore } from '../store/InMemoryEventStore.ts';
import { InMemoryImageStore } from '../store/ImageStore.ts';
import { VmHost } from '../runtime/VmHost.ts';
import type { ExpectSend } from './parseVmArgs.ts';

export interface RecordRequest {
  readonly file: string;
  readonly bios: { name: string; bytes: Uint8Array };
  readonly kernel?: { name: string; bytes: Uint8Array };
  readonly memoryMiB?: number;
  readonly script: readonly ExpectSend[];
  readonly until?: RegExp;
  /** Wall-clock limit, so a script waiting for output that never comes ends. */
  readonly timeoutMs?: number;
}

/** Exit statuses as for a plain run: 0 done, 2 bad input, 3 ran out of time. */
export async function record(request: RecordRequest, out: (text: string) => void): Promise<number> {
  const host = new VmHost(new InMemoryEventStore(), { images: new InMemoryImageStore() });
  try {
    const vm = await host.createVmFromFiles(basename(request.bios.name), request.bios, request.kernel, request.memoryMiB);
    let text = '';
    let step = 0;
    let done: (code: number) => void = () => undefined;
    const finished = new Promise<number>((resolve) => (done = resolve));
    const check = () => {
      while (step < request.script.length && request.script[step].expect.test(text)) {
        const send = request.script[step++].send;
        void host.sendInput(vm.vmId, Uint8Array.from(send, (c) => c.charCodeAt(0) & 0xff));
      }
      if (step >= request.script.length && request.until?.test(text)) done(0);
    };
    await host.attachConsole(vm.vmId, (u) => {
      if (u.bytes) {
        out(u.bytes);
        text += u.bytes;
        check();
      }
      if (u.error) done(2);
    });
    const timer = setTimeout(() => done(3), request.timeoutMs ?? 120_000);
    const poll = setInterval(async () => {
      const [summary] = await host.listVms();
      if (summary?.state.status === 'stopped') done(summary.state.exitCode ? 1 : 0);
      else if (!request.until && step >= request.script.length && request.script.length > 0) done(0);
    }, 200);
    await host.execute(vm.vmId, { type: 'StartVm' });
    const code = await finished;
    clearTimeout(timer);
    clearInterval(poll);
    const [summary] = await host.listVms();
    if (summary.state.status === 'running') await host.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });
    const file = await host.exportVm(vm.vmId);
    writeFileSync(request.file, file.text);
    process.stderr.write(`vm: recorded ${(await host.listVms())[0].state.version} events to ${request.file}\n`);
    return code;
  } finally {
    host.dispose();
  }
}

async function load(file: string): Promise<{ host: VmHost; vmId: VmId }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new VmError('NotFound', `cannot read recording ${JSON.stringify(file)}: ${(e as Error).message}`);
  }
  const host = new VmHost(new InMemoryEventStore(), { images: new InMemoryImageStore() });
  const summary = await host.importVm(text, basename(file));
  return { host, vmId: summary.vmId };
}

/** --replay FILE [--seek SEQ] --print-state: the machine after event SEQ (default: the last) as JSON. */
export async function printState(file: string, seq: number | undefined, out: (text: string) => void): Promise<number> {
  const { host, vmId } = await load(file);
  try {
    const head = (await host.listVms())[0].state.version;
    const view = await host.inspect(vmId, { seq: seq ?? head });
    const { machine, state } = view;
    out(
      `${JSON.stringify(
        {
          seq: view.seq,
          head: view.head,
          icount: view.icount,
          status: state.status,
          pc: machine.pc,
          privilege: machine.privilege,
          registers: Object.fromEntries(machine.registers.map((v, i) => [`x${i}`, `0x${v}`])),
          csrs: Object.fromEntries(machine.csrs.map((c) => [c.name, `0x${c.value}`])),
          stateHash: machine.stateHash,
          code: machine.code.slice(0, 4).map((c) => `${c.address}: ${c.text}`),
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  } finally {
    host.dispose();
  }
}

/** --verify FILE: re-executes the recording and checks its effects; exit 0 when it matches, 1 when not. */
export async function verifyFile(file: string, out: (text: string) => void): Promise<number> {
  const { host, vmId } = await load(file);
  try {
    const result = await host.verify(vmId);
    if (result.ok) {
      out(`verify: ${file}: ${result.events} events, ${result.checked} effects re-derived and equal\n`);
      return 0;
    }
    const d = result.divergence!;
    out(`verify: ${file}: diverges at seq ${d.seq} (${d.type}): recorded ${d.expected}, re-executed ${d.actual}\n`);
    return 1;
  } finally {
    host.dispose();
  }
}
