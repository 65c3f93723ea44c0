// Device models on their own: UART registers and interrupt causes, PLIC claim/complete, CLINT time, test finisher.
import { describe, expect, it } from 'vitest';
import { Uart } from './uart.ts';
import { Plic } from './plic.ts';
import { TestDevice, type FinisherOutcome } from './testDevice.ts';
import { Clint } from './clint.ts';
import { Machine } from '../machine.ts';
import { program, jal } from '../testing/rv64Encoder.ts';

describe('NS16550A UART', () => {
  it('transmits written bytes and reports an empty transmitter', () => {
    const sent: number[] = [];
    const u = new Uart((b) => sent.push(b));
    u.write(0, 1, 0x41);
    expect(sent).toEqual([0x41]);
    expect(u.read(5, 1) & 0x60).toBe(0x60);
  });

  it('receives bytes in order and clears data-ready when the FIFO empties', () => {
    const u = new Uart(() => {});
    u.receive(Uint8Array.of(1, 2));
    expect(u.read(5, 1) & 1).toBe(1);
    expect([u.read(0, 1), u.read(0, 1)]).toEqual([1, 2]);
    expect(u.read(5, 1) & 1).toBe(0);
  });

  it('raises the receive interrupt only when enabled, before the THR-empty one', () => {
    const u = new Uart(() => {});
    u.receive(Uint8Array.of(9));
    expect(u.interruptLine()).toBe(false);
    u.write(1, 1, 0x3);
    expect(u.read(2, 1) & 0x0f).toBe(0x04);
    u.read(0, 1);
    // THRE was owed since ETBEI was enabled; reading IIR that reports it clears it.
    expect(u.read(2, 1) & 0x0f).toBe(0x02);
    expect(u.read(2, 1) & 0x0f).toBe(0x01);
    expect(u.interruptLine()).toBe(false);
    u.write(0, 1, 0x42);
    expect(u.interruptLine()).toBe(true);
  });

  it('uses DLL/DLM while DLAB is set and loops bytes back in loopback mode', () => {
    const sent: number[] = [];
    const u = new Uart((b) => sent.push(b));
    u.write(3, 1, 0x80);
    u.write(0, 1, 0x12);
    u.write(1, 1, 0x34);
    expect([u.read(0, 1), u.read(1, 1)]).toEqual([0x12, 0x34]);
    u.write(3, 1, 0x03);
    u.write(4, 1, 0x10);
    u.write(0, 1, 0x55);
    expect(sent).toEqual([]);
    expect(u.read(0, 1)).toBe(0x55);
  });
});

describe('PLIC', () => {
  it('delivers the highest-priority enabled source above the threshold and holds it until completion', () => {
    const p = new Plic();
    p.write(10 * 4, 4, 1);
    p.write(3 * 4, 4, 5);
    p.write(0x2000, 4, (1 << 10) | (1 << 3));
    p.setLevel(10, true);
    p.setLevel(3, true);
    expect(p.interruptLine(0)).toBe(true);
    expect(p.interruptLine(1)).toBe(false);
    expect(p.read(0x20_0004, 4)).toBe(3);
    expect(p.read(0x20_0004, 4)).toBe(10);
    expect(p.read(0x20_0004, 4)).toBe(0);
    p.write(0x20_0004, 4, 3);
    expect(p.read(0x1000, 4)).toBe(1 << 3);
    p.write(0x20_0000, 4, 5);
    expect(p.interruptLine(0)).toBe(false);
  });
});

describe('CLINT', () => {
  it('derives mtime from the instruction count and accepts writes to mtime', () => {
    const m = new Machine({ bios: program([jal(0, 0)]), memoryMiB: 16 });
    const c: Clint = m.clint;
    m.run(1234);
    expect(c.read(0xbff8, 4)).toBe(1234);
    c.write(0xbffc, 4, 1);
    expect(c.read(0xbffc, 4)).toBe(1);
    expect(c.read(0xbff8, 4)).toBe(1234);
    m.run(6);
    expect(c.read(0xbff8, 4)).toBe(1240);
  });

  it('merges narrow writes into mtimecmp', () => {
    const m = new Machine({ bios: program([jal(0, 0)]), memoryMiB: 16 });
    m.clint.write(0x4000, 4, 0);
    m.clint.write(0x4004, 4, 0);
    m.clint.write(0x4001, 1, 0xab);
    expect(m.clint.read(0x4000, 4)).toBe(0xab00);
  });
});

describe('SiFive test device', () => {
  it('powers off, fails with a code, or reboots', () => {
    const seen: FinisherOutcome[] = [];
    const t = new TestDevice((o) => seen.push(o));
    t.write(0, 4, 0x5555);
    t.write(0, 4, (3 << 16) | 0x3333);
    t.write(0, 4, 0x7777);
    t.write(0, 4, 0x1234);
    expect(seen).toEqual([{ kind: 'poweroff', code: 0 }, { kind: 'poweroff', code: 3 }, { kind: 'reboot' }]);
  });
});
