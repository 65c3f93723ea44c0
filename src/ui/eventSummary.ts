// One-line descriptions of events for lists, and the family colours they are shown in.
import { FAMILY_OF, type AnyStoredEvent, type Family } from '../domain/index.ts';

export const FAMILY_COLOR: Readonly<Record<Family, string>> = {
  lifecycle: '#7aa2f7',
  memory: '#e0af68',
  execution: '#9ece6a',
  device: '#bb9af7',
  snapshot: '#f7768e',
};

export function familyOf(e: AnyStoredEvent): Family {
  return FAMILY_OF[e.type];
}

/** Makes control bytes visible as escapes: \r, \n, \t, others as \xNN. */
export function printable(bytes: string, max = 48): string {
  let out = '';
  for (const ch of bytes) {
    const c = ch.charCodeAt(0);
    out += c === 13 ? '\\r' : c === 10 ? '\\n' : c === 9 ? '\\t' : c < 32 || c > 126 ? `\\x${c.toString(16).padStart(2, '0')}` : ch;
    if (out.length >= max) return `${out.slice(0, max)}…`;
  }
  return out;
}

export function summarize(e: AnyStoredEvent): string {
  switch (e.type) {
    case 'VmCreated':
      return `“${e.data.name}”, ${e.data.config.memoryMiB} MiB, boots ${e.data.config.bootImage.name}${e.data.forkedFrom ? `, forked from ${e.data.forkedFrom.vmId}@${e.data.forkedFrom.seq}` : ''}`;
    case 'VmRenamed':
      return `now “${e.data.name}”`;
    case 'VmStarted':
    case 'VmResumed':
    case 'VmReset':
      return '';
    case 'VmPaused':
      return e.data.reason;
    case 'VmStopped':
      return `${e.data.reason}${e.data.exitCode === null ? '' : `, exit ${e.data.exitCode}`}`;
    case 'MemoryAllocated':
    case 'MemoryFreed':
      return `${e.data.pages} pages at ${e.data.base}`;
    case 'MemoryMapped':
      return `${e.data.kind} ${e.data.base} +${e.data.size.toString(16)}${e.data.device ? ` (${e.data.device})` : ''}`;
    case 'PageFault':
      return `${e.data.access} ${e.data.vaddr} at pc ${e.data.pc} (${e.data.privilege})`;
    case 'InstructionsExecuted':
      return `${e.data.count.toLocaleString('en')} from ${e.data.pcStart} to ${e.data.pcEnd}`;
    case 'TrapTaken':
      return `${e.data.interrupt ? 'interrupt' : 'exception'} ${e.data.cause} at ${e.data.pc}, ${e.data.from}→${e.data.to}${e.data.count ? ` ×${e.data.count}` : ''}`;
    case 'CodeCompiled':
      return `${e.data.instructions} instructions at ${e.data.pc} (${e.data.tier})`;
    case 'HotspotDetected':
      return `${e.data.pc} hit ${e.data.hits} times`;
    case 'DeviceAdded':
      return `${e.data.id} (${e.data.kind}) at ${e.data.base}${e.data.irq === undefined ? '' : `, irq ${e.data.irq}`}`;
    case 'DeviceRemoved':
      return e.data.id;
    case 'InterruptRaised':
      return `${e.data.source} irq ${e.data.irq}${e.data.count ? ` ×${e.data.count}` : ''}`;
    case 'IoCompleted':
      return `${e.data.device} ${e.data.direction} “${printable(e.data.bytes)}”`;
    case 'InputReceived':
      return `${e.data.device} “${printable(e.data.bytes)}”`;
    case 'SnapshotCreated':
      return `“${e.data.name}” (${e.data.id.slice(0, 8)})`;
    case 'SnapshotRestored':
    case 'SnapshotDeleted':
      return e.data.id.slice(0, 8);
    default: {
      const never: never = e;
      return String(never);
    }
  }
}
