// Determinism oracle on real firmware: OpenSBI + U-Boot with typed commands; seek equals full replay, verify catches one changed byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../domain/testing/fixtures.ts';
import { FIRMWARE, FIRMWARE_MISSING, firmwarePresent } from '../cli/firmwarePaths.ts';
import { InMemoryCheckpointStore } from '../store/CheckpointStore.ts';
import { InMemoryEventStore } from '../store/InMemoryEventStore.ts';
import { InMemoryImageStore } from '../store/ImageStore.ts';
import { Replayer, resolveImages } from './replay.ts';
import { verifyStream } from './verify.ts';
import { VmHost } from './VmHost.ts';

const haveFirmware = firmwarePresent();

describe('determinism oracle: U-Boot', () => {
  it.skipIf(!haveFirmware)(
    haveFirmware
      ? 'gives, for 50 random seqs of a U-Boot session, the state hash of a full replay; verify passes and names the seq of one changed input byte'
      : `U-Boot determinism oracle (skipped: ${FIRMWARE_MISSING})`,
    async () => {
      const events = new InMemoryEventStore();
      const checkpoints = new InMemoryCheckpointStore();
      const images = new InMemoryImageStore();
      const host = new VmHost(events, { images, checkpoints });
      const vm = await host.createVmFromFiles(
        'u-boot',
        { name: 'fw_jump.bin', bytes: new Uint8Array(readFileSync(FIRMWARE.fwJump)) },
        { name: 'u-boot.bin', bytes: new Uint8Array(readFileSync(FIRMWARE.ubootSmode)) },
      );
      let text = '';
      await host.attachConsole(vm.vmId, (u) => (text += u.bytes ?? ''));
      await host.execute(vm.vmId, { type: 'StartVm' });
      const prompt = (after: number) => expect.poll(() => text.length > after && text.endsWith('=> '), { timeout: 60_000 }).toBe(true);
      await prompt(0);
      for (const command of ['version', 'help', 'printenv']) {
        const before = text.length;
        await host.sendInput(vm.vmId, new TextEncoder().encode(`${command}\r`));
        await prompt(before);
      }
      expect(text).toMatch(/U-Boot 2023\.01/);
      expect(text).toMatch(/bootcmd=/);
      await host.execute(vm.vmId, { type: 'PauseVm', reason: 'user' });

      const stream = await events.loadEvents(vm.vmId);
      const config = vm.state.config!;
      const boot = await resolveImages(config, async (ref) => (await images.get(ref.sha256!)).bytes);
      const random = seededRandom(11);
      const seqs = Array.from({ length: 50 }, () => 1 + Math.floor(random() * stream.length));
      const bySeek = new Map<number, string>();
      for (const seq of seqs) bySeek.set(seq, (await host.inspect(vm.vmId, { seq })).machine.stateHash);

      // The reference: one replay from boot, forward through the same seqs in order.
      const replayer = new Replayer(config, boot);
      for (const seq of [...new Set(seqs)].sort((a, b) => a - b)) {
        const hash = replayer.advance(stream, stream[seq - 1].icount, seq).machine.stateHash();
        expect(bySeek.get(seq), `seq ${seq}`).toBe(hash);
      }
      expect((await checkpoints.list(vm.vmId)).length).toBeGreaterThan(2);

      const clean = await host.verify(vm.vmId);
      expect(clean).toMatchObject({ ok: true, divergence: null });

      // One byte of the typed `help` changed: the first effect or checkpoint after it diverges.
      const input = stream.find((e) => e.type === 'InputReceived' && e.data.bytes === 'help\r')!;
      const tampered = stream.map((e) => (e.seq === input.seq ? ({ ...e, data: { ...e.data, bytes: 'hElp\r' } } as typeof e) : e));
      const firstEffect = stream.find((e) => e.seq > input.seq && (e.type === 'IoCompleted' || e.type === 'InstructionsExecuted'))!;
      const marks = await checkpoints.list(vm.vmId);
      const result = verifyStream(config, boot, tampered, undefined, marks);
      expect(result.ok).toBe(false);
      // The first effect recorded after the input no longer matches, or a checkpoint taken between
      // them does (it names the last event it had applied: the input).
      const checkpointFirst = marks.some((m) => m.seq === input.seq && m.icount < firstEffect.icount);
      expect(result.divergence).toMatchObject(checkpointFirst ? { seq: input.seq, type: 'Checkpoint' } : { seq: firstEffect.seq, type: firstEffect.type });
      const untouched = verifyStream(config, boot, stream.slice(0, input.seq - 1), undefined, marks.filter((m) => m.seq < input.seq));
      expect(untouched.ok).toBe(true);
      host.dispose();
    },
    240_000,
  );
});
