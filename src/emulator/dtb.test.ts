// Tests of the generated device tree: a TypeScript round trip and, where installed, dtc's reading of it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDeviceTree, DeviceTreeFormatError, findNode, parseDeviceTree, type DtNode } from './dtb.ts';
import { fdtLoadAddress } from './layout.ts';

const MIB = 1024 * 1024;

function prop(n: DtNode | undefined, name: string): Uint8Array {
  const p = n?.props.find((x) => x.name === name);
  if (!p) throw new Error(`missing property ${name} on ${n?.name}`);
  return p.value;
}
function cells(v: Uint8Array): number[] {
  const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return Array.from({ length: v.length / 4 }, (_, i) => view.getUint32(i * 4));
}
function strings(v: Uint8Array): string[] {
  return new TextDecoder().decode(v).split('\0').slice(0, -1);
}

const hasDtc = spawnSync('dtc', ['--version']).status === 0;
const hasQemu = spawnSync('qemu-system-riscv64', ['--version']).status === 0;

/** Every node of `root` with its full path. */
function walk(n: DtNode, path = ''): [string, DtNode][] {
  const here = path === '' ? '/' : path;
  return [[here, n], ...n.children.flatMap((c) => walk(c, `${path}/${c.name}`))];
}

describe('buildDeviceTree', () => {
  it('writes a version 17 header whose blocks lie inside the blob', () => {
    const blob = buildDeviceTree({ memoryBytes: 128 * MIB });
    const view = new DataView(blob.buffer);
    expect(view.getUint32(0)).toBe(0xd00dfeed);
    expect(view.getUint32(4)).toBe(blob.length);
    expect(view.getUint32(20)).toBe(17);
    expect(view.getUint32(24)).toBe(16);
    expect(view.getUint32(8) + view.getUint32(36)).toBeLessThanOrEqual(blob.length);
    expect(view.getUint32(12) + view.getUint32(32)).toBeLessThanOrEqual(blob.length);
    // The memory reservation block holds only its terminator.
    expect(Array.from(blob.subarray(view.getUint32(16), view.getUint32(16) + 16))).toEqual(new Array(16).fill(0));
  });

  it('round-trips through the parser with memory, cpu, soc devices and chosen', () => {
    const root = parseDeviceTree(buildDeviceTree({ memoryBytes: 256 * MIB, bootargs: 'console=ttyS0' }));
    expect(cells(prop(findNode(root, '/memory@80000000'), 'reg'))).toEqual([0, 0x8000_0000, 0, 0x1000_0000]);
    const cpu = findNode(root, '/cpus/cpu@0');
    expect(strings(prop(cpu, 'riscv,isa'))).toEqual(['rv64imac_zicsr_zifencei']);
    expect(strings(prop(cpu, 'mmu-type'))).toEqual(['riscv,sv39']);
    expect(cells(prop(findNode(root, '/cpus'), 'timebase-frequency'))).toEqual([10_000_000]);
    const intc = findNode(root, '/cpus/cpu@0/interrupt-controller');
    const intcPhandle = cells(prop(intc, 'phandle'))[0];
    expect(strings(prop(intc, 'compatible'))).toEqual(['riscv,cpu-intc']);
    const clint = findNode(root, '/soc/clint@2000000');
    expect(cells(prop(clint, 'interrupts-extended'))).toEqual([intcPhandle, 3, intcPhandle, 7]);
    const plic = findNode(root, '/soc/plic@c000000');
    expect(strings(prop(plic, 'compatible'))).toEqual(['sifive,plic-1.0.0', 'riscv,plic0']);
    expect(cells(prop(plic, 'riscv,ndev'))).toEqual([0x60]);
    expect(cells(prop(plic, 'interrupts-extended'))).toEqual([intcPhandle, 11, intcPhandle, 9]);
    const uart = findNode(root, '/soc/serial@10000000');
    expect(cells(prop(uart, 'interrupts'))).toEqual([10]);
    expect(cells(prop(uart, 'interrupt-parent'))).toEqual(cells(prop(plic, 'phandle')));
    expect(cells(prop(uart, 'clock-frequency'))).toEqual([3_686_400]);
    const test = findNode(root, '/soc/test@100000');
    expect(strings(prop(test, 'compatible'))).toEqual(['sifive,test1', 'sifive,test0', 'syscon']);
    expect(cells(prop(findNode(root, '/poweroff'), 'value'))).toEqual([0x5555]);
    expect(cells(prop(findNode(root, '/reboot'), 'value'))).toEqual([0x7777]);
    expect(cells(prop(findNode(root, '/reboot'), 'regmap'))).toEqual(cells(prop(test, 'phandle')));
    const chosen = findNode(root, '/chosen');
    expect(strings(prop(chosen, 'stdout-path'))).toEqual(['/soc/serial@10000000']);
    expect(strings(prop(chosen, 'bootargs'))).toEqual(['console=ttyS0']);
  });

  it('leaves bootargs out when none are given', () => {
    const root = parseDeviceTree(buildDeviceTree({ memoryBytes: 128 * MIB }));
    expect(findNode(root, '/chosen')?.props.map((p) => p.name)).toEqual(['stdout-path']);
  });

  it('refuses a memory size that is not a positive byte count', () => {
    expect(() => buildDeviceTree({ memoryBytes: 0 })).toThrow(RangeError);
  });

  it('rejects blobs that are not device trees', () => {
    expect(() => parseDeviceTree(new Uint8Array(8))).toThrow(DeviceTreeFormatError);
    const blob = buildDeviceTree({ memoryBytes: 128 * MIB });
    const bad = blob.slice();
    bad[0] = 0;
    expect(() => parseDeviceTree(bad)).toThrow(/magic/);
    expect(() => parseDeviceTree(blob.slice(0, blob.length - 64))).toThrow(DeviceTreeFormatError);
  });

  it('is placed at the top of RAM rounded down to 2 MiB, as QEMU places it', () => {
    expect(fdtLoadAddress(128 * MIB, 0x700)).toBe(0x87e0_0000);
    expect(fdtLoadAddress(4096 * MIB, 0x700)).toBe(0xbfe0_0000);
  });

  it.skipIf(!hasDtc)('is read by dtc with the expected nodes (skipped: dtc is not installed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dtb-'));
    const file = join(dir, 'board.dtb');
    writeFileSync(file, buildDeviceTree({ memoryBytes: 128 * MIB }));
    const dts = execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(dts).toMatch(/memory@80000000 \{\s+device_type = "memory";\s+reg = <0x00 0x80000000 0x00 0x8000000>;/);
    expect(dts).toContain('riscv,isa = "rv64imac_zicsr_zifencei";');
    expect(dts).toContain('timebase-frequency = <0x989680>;');
    expect(dts).toContain('compatible = "sifive,plic-1.0.0\\0riscv,plic0";');
    expect(dts).toContain('interrupts-extended = <0x02 0x0b 0x02 0x09>;');
    expect(dts).toContain('interrupts-extended = <0x02 0x03 0x02 0x07>;');
    expect(dts).toContain('compatible = "sifive,test1\\0sifive,test0\\0syscon";');
    expect(dts).toContain('stdout-path = "/soc/serial@10000000";');
    expect(dts).toMatch(/serial@10000000 \{[^}]*compatible = "ns16550a";/);
  });

  it.skipIf(!hasQemu)(
    hasQemu ? 'has every node and property value of QEMU virt\'s own tree, except the ISA and MMU it describes' : 'is compared with QEMU virt\'s tree (skipped: qemu-system-riscv64 is not installed)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'dtb-'));
      const file = join(dir, 'virt.dtb');
      execFileSync('qemu-system-riscv64', ['-machine', `virt,dumpdtb=${file}`, '-m', '128M', '-nographic'], { stdio: 'ignore' });
      const qemu = new Map(walk(parseDeviceTree(new Uint8Array(readFileSync(file)))));
      const ours = walk(parseDeviceTree(buildDeviceTree({ memoryBytes: 128 * MIB })));
      const differences: string[] = [];
      for (const [path, node] of ours) {
        const theirs = qemu.get(path);
        if (!theirs) {
          differences.push(`${path}: not in QEMU's tree`);
          continue;
        }
        for (const p of node.props) {
          if (path === '/cpus/cpu@0' && (p.name === 'riscv,isa' || p.name === 'mmu-type')) continue;
          const q = theirs.props.find((x) => x.name === p.name);
          if (!q) differences.push(`${path}: ${p.name} not in QEMU's tree`);
          else if (Buffer.compare(Buffer.from(q.value), Buffer.from(p.value)) !== 0) differences.push(`${path}: ${p.name} differs`);
        }
      }
      expect(differences).toEqual([]);
    },
  );
});
