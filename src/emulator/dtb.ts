// Flattened device tree (DTSpec v0.4 chapter 5, version 17) for the virt-compatible board, and a reader for it.
import {
  BOOT_HART_ID,
  CLINT_BASE,
  CLINT_SIZE,
  ISA_STRING,
  MMU_TYPE,
  PLIC_BASE,
  PLIC_NDEV,
  PLIC_SIZE,
  RAM_BASE,
  TEST_BASE,
  TEST_SIZE,
  TIMEBASE_HZ,
  UART0_BASE,
  UART0_CLOCK_HZ,
  UART0_IRQ,
  UART0_SIZE,
  FINISHER_PASS,
  FINISHER_RESET,
} from './layout.ts';

/** What the generated tree describes. Everything but the memory size has the board's default. */
export interface DeviceTreeConfig {
  /** Size of RAM in bytes (a multiple of 4 KiB). */
  readonly memoryBytes: number;
  readonly ramBase?: number;
  /** Kernel command line, written to /chosen/bootargs when given. */
  readonly bootargs?: string;
  readonly isa?: string;
  readonly mmuType?: string;
  readonly timebaseHz?: number;
  readonly hartId?: number;
}

/** A property value: bytes as they appear in the blob. */
export type DtValue = Uint8Array;

/** A node of a device tree, as built or as parsed. */
export interface DtNode {
  readonly name: string;
  readonly props: ReadonlyArray<{ readonly name: string; readonly value: DtValue }>;
  readonly children: readonly DtNode[];
}

/** The blob could not be read as a flattened device tree. */
export class DeviceTreeFormatError extends Error {
  override readonly name = 'DeviceTreeFormatError';
}

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;
const FDT_VERSION = 17;
const FDT_LAST_COMP_VERSION = 16;
const HEADER_SIZE = 40;

// Phandles, numbered as QEMU numbers them so a diff against its dumpdtb stays readable.
const PHANDLE_CPU = 1;
const PHANDLE_CPU_INTC = 2;
const PHANDLE_PLIC = 3;
const PHANDLE_TEST = 4;

// Interrupt numbers of the local interrupt controller (Priv. spec 3.1.9, mip bits).
const IRQ_M_SOFT = 3;
const IRQ_M_TIMER = 7;
const IRQ_S_EXT = 9;
const IRQ_M_EXT = 11;

// The core has no TextEncoder (no DOM lib); device tree strings are UTF-8.
function utf8(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return out;
}

function latin(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** Big-endian 32-bit cells. */
export function u32(...cells: number[]): DtValue {
  const out = new Uint8Array(cells.length * 4);
  const view = new DataView(out.buffer);
  cells.forEach((c, i) => view.setUint32(i * 4, c >>> 0));
  return out;
}

/** A 64-bit value as two cells (for #address-cells = #size-cells = 2). */
function u64(value: number): number[] {
  return [Math.floor(value / 0x1_0000_0000), value >>> 0];
}

/** One or more NUL-terminated strings (a string list when several are given). */
export function str(...values: string[]): DtValue {
  return Uint8Array.from(utf8(values.map((v) => `${v}\0`).join('')));
}

const EMPTY: DtValue = new Uint8Array(0);

function node(name: string, props: Record<string, DtValue>, children: DtNode[] = []): DtNode {
  return { name, props: Object.entries(props).map(([n, value]) => ({ name: n, value })), children };
}

function reg(base: number, size: number): DtValue {
  return u32(...u64(base), ...u64(size));
}

/** The board's tree as nodes, before flattening (exported for tests and the inspector). */
export function deviceTreeNodes(config: DeviceTreeConfig): DtNode {
  const ramBase = config.ramBase ?? RAM_BASE;
  const hartId = config.hartId ?? BOOT_HART_ID;
  const uartPath = `/soc/serial@${UART0_BASE.toString(16)}`;
  const chosen: Record<string, DtValue> = {};
  if (config.bootargs !== undefined) chosen.bootargs = str(config.bootargs);
  chosen['stdout-path'] = str(uartPath);

  const cpu = node(
    `cpu@${hartId.toString(16)}`,
    {
      phandle: u32(PHANDLE_CPU),
      device_type: str('cpu'),
      reg: u32(hartId),
      status: str('okay'),
      compatible: str('riscv'),
      'riscv,isa': str(config.isa ?? ISA_STRING),
      'mmu-type': str(config.mmuType ?? MMU_TYPE),
    },
    [
      node('interrupt-controller', {
        '#interrupt-cells': u32(1),
        'interrupt-controller': EMPTY,
        compatible: str('riscv,cpu-intc'),
        phandle: u32(PHANDLE_CPU_INTC),
      }),
    ],
  );

  const soc = node(
    'soc',
    { '#address-cells': u32(2), '#size-cells': u32(2), compatible: str('simple-bus'), ranges: EMPTY },
    [
      node(`serial@${UART0_BASE.toString(16)}`, {
        interrupts: u32(UART0_IRQ),
        'interrupt-parent': u32(PHANDLE_PLIC),
        'clock-frequency': u32(UART0_CLOCK_HZ),
        reg: reg(UART0_BASE, UART0_SIZE),
        compatible: str('ns16550a'),
      }),
      node(`test@${TEST_BASE.toString(16)}`, {
        phandle: u32(PHANDLE_TEST),
        reg: reg(TEST_BASE, TEST_SIZE),
        compatible: str('sifive,test1', 'sifive,test0', 'syscon'),
      }),
      node(`plic@${PLIC_BASE.toString(16)}`, {
        phandle: u32(PHANDLE_PLIC),
        'riscv,ndev': u32(PLIC_NDEV),
        reg: reg(PLIC_BASE, PLIC_SIZE),
        'interrupts-extended': u32(PHANDLE_CPU_INTC, IRQ_M_EXT, PHANDLE_CPU_INTC, IRQ_S_EXT),
        'interrupt-controller': EMPTY,
        compatible: str('sifive,plic-1.0.0', 'riscv,plic0'),
        '#address-cells': u32(0),
        '#interrupt-cells': u32(1),
      }),
      node(`clint@${CLINT_BASE.toString(16)}`, {
        'interrupts-extended': u32(PHANDLE_CPU_INTC, IRQ_M_SOFT, PHANDLE_CPU_INTC, IRQ_M_TIMER),
        reg: reg(CLINT_BASE, CLINT_SIZE),
        compatible: str('sifive,clint0', 'riscv,clint0'),
      }),
    ],
  );

  return node(
    '',
    {
      '#address-cells': u32(2),
      '#size-cells': u32(2),
      compatible: str('riscv-virtio'),
      model: str('riscv-virtio,qemu'),
    },
    [
      node('chosen', chosen),
      node('poweroff', {
        value: u32(FINISHER_PASS),
        offset: u32(0),
        regmap: u32(PHANDLE_TEST),
        compatible: str('syscon-poweroff'),
      }),
      node('reboot', {
        value: u32(FINISHER_RESET),
        offset: u32(0),
        regmap: u32(PHANDLE_TEST),
        compatible: str('syscon-reboot'),
      }),
      node(`memory@${ramBase.toString(16)}`, {
        device_type: str('memory'),
        reg: reg(ramBase, config.memoryBytes),
      }),
      node(
        'cpus',
        { '#address-cells': u32(1), '#size-cells': u32(0), 'timebase-frequency': u32(config.timebaseHz ?? TIMEBASE_HZ) },
        [cpu, node('cpu-map', {}, [node('cluster0', {}, [node('core0', { cpu: u32(PHANDLE_CPU) })])])],
      ),
      soc,
    ],
  );
}

/** The flattened device tree blob for the board described by `config`. */
export function buildDeviceTree(config: DeviceTreeConfig): Uint8Array {
  if (!Number.isSafeInteger(config.memoryBytes) || config.memoryBytes <= 0) {
    throw new RangeError(`Device tree memory size must be a positive byte count, got ${config.memoryBytes}.`);
  }
  return flatten(deviceTreeNodes(config), config.hartId ?? BOOT_HART_ID);
}

/** Serialises a node tree into a v17 blob with an empty memory reservation block. */
export function flatten(root: DtNode, bootCpuId = 0): Uint8Array {
  const strings: number[] = [];
  const stringOffsets = new Map<string, number>();
  const struct: number[] = [];

  const pushU32 = (v: number) => struct.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  const pad = () => {
    while (struct.length % 4 !== 0) struct.push(0);
  };
  const stringOffset = (name: string): number => {
    let off = stringOffsets.get(name);
    if (off === undefined) {
      off = strings.length;
      stringOffsets.set(name, off);
      strings.push(...utf8(name), 0);
    }
    return off;
  };
  const emit = (n: DtNode) => {
    pushU32(FDT_BEGIN_NODE);
    struct.push(...utf8(n.name), 0);
    pad();
    for (const p of n.props) {
      pushU32(FDT_PROP);
      pushU32(p.value.length);
      pushU32(stringOffset(p.name));
      struct.push(...p.value);
      pad();
    }
    n.children.forEach(emit);
    pushU32(FDT_END_NODE);
  };
  emit(root);
  pushU32(FDT_END);

  const offMemRsvmap = HEADER_SIZE; // already 8-byte aligned
  const rsvmapSize = 16; // the terminating {0, 0} entry only
  const offStruct = offMemRsvmap + rsvmapSize;
  const offStrings = offStruct + struct.length;
  const total = offStrings + strings.length;
  const totalAligned = (total + 7) & ~7;
  const blob = new Uint8Array(totalAligned);
  const view = new DataView(blob.buffer);
  const header = [
    FDT_MAGIC,
    totalAligned,
    offStruct,
    offStrings,
    offMemRsvmap,
    FDT_VERSION,
    FDT_LAST_COMP_VERSION,
    bootCpuId,
    strings.length,
    struct.length,
  ];
  header.forEach((v, i) => view.setUint32(i * 4, v));
  blob.set(struct, offStruct);
  blob.set(strings, offStrings);
  return blob;
}

/** Reads a flattened device tree back into nodes (checks the header and every token). */
export function parseDeviceTree(blob: Uint8Array): DtNode {
  if (blob.length < HEADER_SIZE) throw new DeviceTreeFormatError(`Device tree is ${blob.length} bytes, shorter than its header.`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (view.getUint32(0) !== FDT_MAGIC) throw new DeviceTreeFormatError('Device tree magic is not 0xd00dfeed.');
  const total = view.getUint32(4);
  const offStruct = view.getUint32(8);
  const offStrings = view.getUint32(12);
  const sizeStrings = view.getUint32(32);
  const sizeStruct = view.getUint32(36);
  if (total > blob.length || offStruct + sizeStruct > total || offStrings + sizeStrings > total) {
    throw new DeviceTreeFormatError(`Device tree blocks extend beyond its ${blob.length} bytes.`);
  }
  const cString = (start: number, end: number): [string, number] => {
    let i = start;
    while (i < end && blob[i] !== 0) i++;
    if (i >= end) throw new DeviceTreeFormatError(`Unterminated string at offset ${start}.`);
    return [latin(blob.subarray(start, i)), i + 1];
  };
  const structEnd = offStruct + sizeStruct;
  let pos = offStruct;
  const token = (): number => {
    if (pos + 4 > structEnd) throw new DeviceTreeFormatError('Structure block ends without FDT_END.');
    const t = view.getUint32(pos);
    pos += 4;
    return t;
  };
  const align = () => {
    pos = (pos + 3) & ~3;
  };
  interface Building {
    name: string;
    props: { name: string; value: DtValue }[];
    children: DtNode[];
  }
  const stack: Building[] = [];
  let root: DtNode | undefined;
  for (;;) {
    const t = token();
    if (t === FDT_BEGIN_NODE) {
      const [name, next] = cString(pos, structEnd);
      pos = next;
      align();
      stack.push({ name, props: [], children: [] });
    } else if (t === FDT_PROP) {
      const len = token();
      const nameOff = token();
      const top = stack[stack.length - 1];
      if (!top) throw new DeviceTreeFormatError('Property outside any node.');
      if (pos + len > structEnd) throw new DeviceTreeFormatError('Property value runs past the structure block.');
      const [name] = cString(offStrings + nameOff, offStrings + sizeStrings);
      top.props.push({ name, value: blob.slice(pos, pos + len) });
      pos += len;
      align();
    } else if (t === FDT_END_NODE) {
      const done = stack.pop();
      if (!done) throw new DeviceTreeFormatError('FDT_END_NODE without a matching FDT_BEGIN_NODE.');
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(done);
      else root = done;
    } else if (t === FDT_END) {
      if (!root || stack.length > 0) throw new DeviceTreeFormatError('FDT_END before the root node closed.');
      return root;
    } else if (t !== FDT_NOP) {
      throw new DeviceTreeFormatError(`Unknown structure token 0x${t.toString(16)} at offset ${pos - 4}.`);
    }
  }
}

/** Finds a node by its full path ("/soc/serial@10000000"). */
export function findNode(root: DtNode, path: string): DtNode | undefined {
  let cur: DtNode | undefined = root;
  for (const part of path.split('/').filter((p) => p !== '')) {
    cur = cur.children.find((c: DtNode) => c.name === part);
    if (!cur) return undefined;
  }
  return cur;
}
