// The board: devices through the bus, HTIF and test-device exits, budgets, determinism, bad images.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine } from './machine.ts';
import { runProgram, u64 } from './testing/runProgram.ts';
import { I, MRET, WFI, addi, csrrs, csrrw, jal, layout, lbu, li, program, sb, sd, sw } from './testing/rv64Encoder.ts';
import { CSR } from './cpu/csr.ts';

const UART = 0x1000_0000n;

/** Prints "hi\n" through the UART and powers off through the test device. */
const HELLO = [
  ...li(10, UART),
  addi(5, 0, 0x68),
  sb(10, 5, 0),
  addi(5, 0, 0x69),
  sb(10, 5, 0),
  addi(5, 0, 0x0a),
  sb(10, 5, 0),
  ...li(11, 0x10_0000n),
  ...li(6, 0x5555n),
  sw(11, 6, 0),
  jal(0, 0),
];

describe('Machine', () => {
  it('prints through the UART and powers off through the test device', () => {
    const m = runProgram(HELLO);
    const r = m.run(1000);
    expect(r.reason).toBe('poweroff');
    expect(r.exitCode).toBe(0);
    expect(new TextDecoder().decode(m.drainOutput())).toBe('hi\n');
  });

  it('reports a failure code written to the test device', () => {
    const m = runProgram([...li(11, 0x10_0000n), ...li(6, (7n << 16n) | 0x3333n), sw(11, 6, 0)]);
    expect(m.run(100)).toMatchObject({ reason: 'poweroff', exitCode: 7 });
  });

  it('stops at its budget with the exact count', () => {
    const m = runProgram([jal(0, 0)]);
    expect(m.run(12345)).toEqual({ reason: 'budget', executed: 12345 });
    expect(m.icount).toBe(12345);
  });

  it('a guest executing garbage traps inside the guest and never throws in the host', () => {
    const garbage = new Uint8Array(4096);
    let x = 12345;
    for (let i = 0; i < garbage.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      garbage[i] = x >>> 24;
    }
    const m = new Machine({ bios: garbage, memoryMiB: 16 });
    const r = m.run(100_000);
    expect(['budget', 'poweroff', 'reboot', 'waiting-for-input']).toContain(r.reason);
  });

  it('an access to an unmapped physical address is an access fault', () => {
    const m = runProgram(layout({ 0: [...li(5, 0x8000_0100n), csrrw(0, CSR.mtvec, 5), ...li(10, 0x4000_0000n), lbu(6, 10, 0)], 0x100: [csrrs(7, CSR.mcause, 0), jal(0, 0)] }));
    m.run(20);
    expect(u64(m, 7)).toBe(5n);
  });

  it('receives input through the UART and its interrupt reaches the hart through the PLIC', () => {
    const plic = 0x0c00_0000n;
    const code = [
      ...li(5, 0x8000_0200n),
      csrrw(0, CSR.mtvec, 5),
      ...li(10, plic),
      addi(6, 0, 1),
      sw(10, 6, 10 * 4), // priority[10] = 1
      ...li(11, plic + 0x2000n),
      addi(6, 0, 1 << 10),
      sw(11, 6, 0), // enable source 10 for context 0 (M)
      ...li(12, UART),
      addi(6, 0, 1),
      sb(12, 6, 1), // IER: received data available
      ...li(6, 0x800n),
      csrrw(0, CSR.mie, 6), // MEIE
      addi(6, 0, 8),
      csrrs(0, CSR.mstatus, 6), // MIE
      WFI,
      jal(0, -4),
    ];
    const handler = [...li(13, plic + 0x20_0004n), I(0x03, 6, 14, 13, 0), lbu(15, 12, 0), sw(13, 14, 0), jal(0, 0)];
    const m = runProgram(layout({ 0: code, 0x200: handler }));
    expect(m.run(1000).reason).toBe('waiting-for-input');
    m.sendInput(Uint8Array.of(0x41));
    m.run(100);
    expect(u64(m, 14)).toBe(10n); // claimed source
    expect(u64(m, 15)).toBe(0x41n);
    expect(m.csr(CSR.mcause)).toBe((1n << 63n) | 11n);
  });

  it('HTIF: a write of (code << 1) | 1 to tohost ends the run with that code', () => {
    const dir = new URL('../../guests/conformance/bin/', import.meta.url);
    const pass = new Machine({ bios: new Uint8Array(readFileSync(new URL('htif-pass.elf', dir))), memoryMiB: 16 });
    expect(pass.tohost).toBeDefined();
    expect(pass.run(1_000_000)).toMatchObject({ reason: 'htif-exit', exitCode: 0 });
    const fail = new Machine({ bios: new Uint8Array(readFileSync(new URL('htif-exit7.elf', dir))), memoryMiB: 16 });
    expect(fail.run(1_000_000)).toMatchObject({ reason: 'htif-exit', exitCode: 7 });
  });

  it('the same image and input schedule give the same output and state hash', () => {
    const once = () => {
      const m = new Machine({ bios: program(HELLO), memoryMiB: 16 });
      m.run(3);
      m.sendInput(Uint8Array.of(1, 2, 3));
      m.run(1000);
      return [m.stateHash(), new TextDecoder().decode(m.drainOutput())];
    };
    expect(once()).toEqual(once());
  });

  it('slicing a run differently changes nothing: timer interrupts land on the same instruction', () => {
    const clint = 0x200_4000n;
    const code = [
      ...li(5, 0x8000_0100n),
      csrrw(0, CSR.mtvec, 5),
      ...li(6, clint),
      addi(7, 0, 37),
      sd(6, 7, 0),
      addi(8, 0, 0x80),
      csrrw(0, CSR.mie, 8),
      addi(9, 0, 8),
      csrrs(0, CSR.mstatus, 9),
      addi(10, 10, 1),
      jal(0, -4),
    ];
    // Handler: count, re-arm mtimecmp 37 ticks later, return.
    const handler = [addi(20, 20, 1), csrrs(21, CSR.time, 0), addi(21, 21, 37), sd(6, 21, 0), MRET];
    const image = program(layout({ 0: code, 0x100: handler }));
    const whole = new Machine({ bios: image, memoryMiB: 16 });
    whole.run(100_000);
    const pieces = new Machine({ bios: image, memoryMiB: 16 });
    for (const n of [1, 7, 1000, 13, 50_000]) pieces.run(n);
    while (pieces.icount < 100_000) pieces.run(Math.min(333, 100_000 - pieces.icount));
    expect(u64(whole, 20)).toBeGreaterThan(1000n);
    expect(u64(pieces, 20)).toBe(u64(whole, 20));
    expect(pieces.stateHash()).toBe(whole.stateHash());
  });

  it('starts like QEMU: a0 = hart id, a1 = device tree, a2 = fw_dynamic_info in the boot ROM', () => {
    const m = runProgram([I(0x03, 2, 20, 12, 0), I(0x03, 3, 21, 12, 16), I(0x03, 2, 22, 11, 0)], 3);
    expect(u64(m, 10)).toBe(0n);
    expect(u64(m, 12)).toBe(0x1028n);
    expect(u64(m, 20)).toBe(0x4942534fn);
    expect(u64(m, 21)).toBe(0n); // no kernel: no next stage
    expect(u64(m, 22)).toBe(0xffff_ffff_edfe_0dd0n); // the FDT magic, big-endian d00dfeed read as a little-endian word
  });

  it('reports each trap to a listener with cause, pc, tval and privileges', () => {
    const setup = [...li(5, 0x8000_0100n), csrrw(0, CSR.mtvec, 5)];
    const m = runProgram(layout({ 0: [...setup, 0x02b57553], 0x100: [jal(0, 0)] }));
    const traps: unknown[] = [];
    m.onTrap = (t) => traps.push(t);
    m.run(setup.length + 5);
    expect(traps).toHaveLength(1);
    expect(traps[0]).toMatchObject({ cause: 2, interrupt: false, tval: 0x02b57553, pc: 0x8000_0000 + 4 * setup.length, from: 3, to: 3 });
  });

  it('restores a snapshot exactly: the same future from the same input, in the same or a fresh machine', () => {
    const os = new Uint8Array(readFileSync(new URL('../../public/guests/os.elf', import.meta.url)));
    const m = new Machine({ bios: os, memoryMiB: 32 });
    m.run(3_000_000);
    m.drainOutput();
    const snap = m.snapshot();
    const atSnapshot = m.stateHash();
    const future = (machine: Machine) => {
      machine.sendInput(new TextEncoder().encode('run primes\r'));
      machine.run(5_000_000);
      return { out: new TextDecoder().decode(machine.drainOutput()), hash: machine.stateHash(), icount: machine.icount };
    };
    const first = future(m);
    expect(first.out).toContain('primes');
    m.restore(snap);
    expect(m.stateHash()).toBe(atSnapshot);
    expect(future(m)).toEqual(first);
    const fresh = new Machine({ bios: os, memoryMiB: 32 });
    fresh.restore(snap);
    expect(fresh.stateHash()).toBe(atSnapshot);
    expect(future(fresh)).toEqual(first);
  });

  it('keeps the non-zero CSRs in a snapshot, shared while they hold still, and restores the others to zero', () => {
    const os = new Uint8Array(readFileSync(new URL('../../public/guests/os.elf', import.meta.url)));
    const m = new Machine({ bios: os, memoryMiB: 32 });
    m.run(3_000_000);
    const a = m.snapshot(false);
    expect(m.snapshot(false).cpu.csrs).toBe(a.cpu.csrs);
    const nonZero = [...Array(4096).keys()].filter((i) => m.cpu.csrLo[i] !== 0 || m.cpu.csrHi[i] !== 0);
    expect(nonZero.length).toBeGreaterThan(3);
    expect([...a.cpu.csrs].filter((_, k) => k % 3 === 0)).toEqual(nonZero);

    const mscratch = m.cpu.csrLo[CSR.mscratch];
    m.cpu.csrLo[CSR.mscratch] = mscratch + 1;
    m.cpu.csrHi[CSR.sscratch] = 7;
    const c = m.snapshot();
    expect(c.cpu.csrs).not.toBe(a.cpu.csrs);
    m.restore(a);
    expect(m.cpu.csrLo[CSR.mscratch]).toBe(mscratch);
    expect(m.cpu.csrHi[CSR.sscratch]).toBe(0);
    m.restore(c);
    expect(m.cpu.csrLo[CSR.mscratch]).toBe(mscratch + 1);
    expect(m.cpu.csrHi[CSR.sscratch]).toBe(7);
  });

  it('lists the pages written since the last time it was asked, once each', () => {
    const m = runProgram([jal(0, 0)]);
    m.takeDirtyPages();
    const pages = [1, 5, 6, 7, 8, m.ram.dirty.length - 1];
    for (const p of pages) m.ram.writeBytes(m.ram.base + p * 4096 + 100, Uint8Array.of(1, 2, 3));
    m.ram.writeBytes(m.ram.base + 6 * 4096 + 200, Uint8Array.of(4));
    expect(m.takeDirtyPages()).toEqual(pages);
    expect(m.takeDirtyPages()).toEqual([]);
    expect(m.ram.dirty.every((d) => d === 0)).toBe(true);
  });

  it('stops before an instruction at a breakpoint and resumes past it', () => {
    const m = runProgram([addi(5, 0, 1), addi(6, 0, 2), addi(7, 0, 3), jal(0, 0)]);
    m.breakpoints.add(0x8000_0008);
    expect(m.run(100)).toEqual({ reason: 'breakpoint', executed: 2 });
    expect(m.pc).toBe(0x8000_0008);
    expect(u64(m, 7)).toBe(0n);
    expect(m.run(1)).toEqual({ reason: 'budget', executed: 1 });
    expect(u64(m, 7)).toBe(3n);
  });

  it('the state hash changes when memory changes and tracks later writes to the same page', () => {
    const prefix = li(10, 0x8000_3000n);
    const m = runProgram([...prefix, addi(5, 0, 1), sb(10, 5, 0), addi(5, 0, 2), sb(10, 5, 0), jal(0, 0)]);
    const h0 = m.stateHash();
    m.run(prefix.length + 2);
    const h1 = m.stateHash();
    m.run(2);
    const h2 = m.stateHash();
    expect(new Set([h0, h1, h2]).size).toBe(3);
    expect(m.readPhysical(0x8000_3000, 1)[0]).toBe(2);
  });

  it('refuses an ELF whose segments lie outside RAM, naming the file', () => {
    const elf = new Uint8Array(64 + 56 + 8);
    const dv = new DataView(elf.buffer);
    elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    dv.setUint16(16, 2, true);
    dv.setUint16(18, 243, true);
    dv.setUint32(20, 1, true);
    dv.setBigUint64(24, 0x1000n, true);
    dv.setBigUint64(32, 64n, true);
    dv.setUint16(52, 64, true);
    dv.setUint16(54, 56, true);
    dv.setUint16(56, 1, true);
    dv.setUint32(64, 1, true); // PT_LOAD
    dv.setBigUint64(64 + 8, 120n, true);
    dv.setBigUint64(64 + 16, 0x1000n, true);
    dv.setBigUint64(64 + 24, 0x1000n, true);
    dv.setBigUint64(64 + 32, 8n, true);
    dv.setBigUint64(64 + 40, 8n, true);
    expect(() => new Machine({ bios: elf, biosName: 'low.elf', memoryMiB: 16 })).toThrow(/low\.elf.*outside RAM/);
  });

  it('refuses a machine too small for its device tree beside the image, saying how much it needs', () => {
    const image = program([jal(0, 0)]);
    // 1 MiB: the tree's place (QEMU's, aligned to 2 MiB below the top of RAM) is the RAM base itself.
    expect(() => new Machine({ bios: image, biosName: 'tiny.bin', memoryMiB: 1 })).toThrow(/1 MiB machine has no room for its device tree.*'tiny\.bin'.*at least 3 MiB/);
    const m = new Machine({ bios: image, biosName: 'tiny.bin', memoryMiB: 3 });
    expect(m.readPhysical(0x8000_0000, 4)).toEqual(image);
    expect(m.dtbAddress).toBe(0x8020_0000);
  });
});
