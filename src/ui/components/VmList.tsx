// The list of VMs: create, select, rename, export, verify, delete (with confirmation), import from a file or by dropping one.
import { useRef, useState, type DragEvent, type FormEvent } from 'react';
import type { VerifyResult, VmSummary } from '../../client/vmClient.ts';
import { useApp } from '../AppContext.tsx';
import { formatBytes } from '../format.ts';

export function VmList() {
  const vms = useApp((s) => s.vms);
  const selectedId = useApp((s) => s.selectedId);
  const select = useApp((s) => s.select);
  const createVm = useApp((s) => s.createVm);
  const importFile = useApp((s) => s.importFile);
  const storageBytes = useApp((s) => s.storageBytes);
  const [name, setName] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const [dropping, setDropping] = useState(false);
  /** dragenter/dragleave fire for every child crossed; counting them tells when the drag really left. */
  const depth = useRef(0);
  const carriesFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files');
  const streamBytes = vms.reduce((sum, v) => sum + v.bytes, 0);

  const onCreate = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    void createVm(trimmed).then(() => setName(''));
  };

  return (
    <nav
      className={dropping ? 'vm-list drop-target' : 'vm-list'}
      aria-label="Virtual machines"
      data-testid="vm-list"
      onDragEnter={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setDropping(true);
      }}
      onDragOver={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={() => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setDropping(false);
      }}
      onDrop={(e) => {
        if (!carriesFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setDropping(false);
        const file = e.dataTransfer.files[0];
        if (file) void importFile(file);
      }}
    >
      <form onSubmit={onCreate} className="create">
        <input
          aria-label="New VM name"
          placeholder="New VM name"
          value={name}
          maxLength={64}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" disabled={!name.trim()}>
          Create
        </button>
      </form>
      <FromFiles />
      {dropping && (
        <p className="drop-hint" data-testid="drop-hint">
          Drop an exported VM file (.vmstream.jsonl) to import it
        </p>
      )}
      <ul>
        {vms.map((vm) => (
          <VmItem key={vm.vmId} vm={vm} selected={vm.vmId === selectedId} onSelect={() => select(vm.vmId)} />
        ))}
      </ul>
      <div className="list-footer">
        <button type="button" onClick={() => fileInput.current?.click()}>
          Import…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".jsonl,.vmstream,application/json,text/plain"
          hidden
          data-testid="import-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void importFile(file);
          }}
        />
        <span
          className="muted small"
          data-testid="storage-total"
          title="All this site stores in the browser (events, checkpoints, boot images), as the browser estimates it; the event streams alone are the sum of the VMs' sizes."
        >
          {storageBytes === null ? '' : `${formatBytes(storageBytes)} stored in all`}
          {vms.length > 0 ? ` · events ${formatBytes(streamBytes)}` : ''}
        </span>
      </div>
    </nav>
  );
}

/** Create a VM from uploaded images: firmware or program, and an optional payload (OpenSBI + U-Boot). */
function FromFiles() {
  const createVmFromFiles = useApp((s) => s.createVmFromFiles);
  const [name, setName] = useState('');
  const [bios, setBios] = useState<File | null>(null);
  const [kernel, setKernel] = useState<File | null>(null);
  const [memory, setMemory] = useState(128);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!bios) return;
    setBusy(true);
    void createVmFromFiles(name.trim() || bios.name, bios, kernel, memory).then((ok) => {
      setBusy(false);
      if (ok) {
        form.current?.reset();
        setName('');
        setBios(null);
        setKernel(null);
      }
    });
  };

  return (
    <details className="from-files">
      <summary>New VM from files…</summary>
      <form ref={form} onSubmit={submit}>
        <label>
          Name
          <input value={name} maxLength={64} placeholder="(file name)" onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Firmware or program (ELF or raw, at 0x80000000)
          <input type="file" data-testid="bios-file" required onChange={(e) => setBios(e.target.files?.[0] ?? null)} />
        </label>
        <label>
          Payload, optional (raw at 0x80200000, e.g. U-Boot after OpenSBI)
          <input type="file" data-testid="kernel-file" onChange={(e) => setKernel(e.target.files?.[0] ?? null)} />
        </label>
        <label>
          Memory
          <select value={memory} onChange={(e) => setMemory(Number(e.target.value))}>
            {[32, 64, 128, 256, 512].map((m) => (
              <option key={m} value={m}>
                {m} MiB
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={!bios || busy}>
          {busy ? 'Creating…' : 'Create from files'}
        </button>
      </form>
    </details>
  );
}

function VmItem({ vm, selected, onSelect }: { vm: VmSummary; selected: boolean; onSelect: () => void }) {
  const renameVm = useApp((s) => s.renameVm);
  const deleteVm = useApp((s) => s.deleteVm);
  const exportVm = useApp((s) => s.exportVm);
  const verify = useApp((s) => s.verify);
  const [verified, setVerified] = useState<VerifyResult | null>(null);
  const [mode, setMode] = useState<'idle' | 'rename' | 'confirm-delete'>('idle');
  const [draft, setDraft] = useState(vm.state.name);

  const save = (e: FormEvent) => {
    e.preventDefault();
    setMode('idle');
    if (draft.trim() && draft.trim() !== vm.state.name) void renameVm(vm.vmId, draft.trim());
  };

  return (
    <li className={selected ? 'vm-item selected' : 'vm-item'} data-vm-id={vm.vmId}>
      {mode === 'rename' ? (
        <form onSubmit={save} className="rename">
          <input
            aria-label="VM name"
            autoFocus
            value={draft}
            maxLength={64}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && setMode('idle')}
          />
          <button type="submit">Save</button>
        </form>
      ) : (
        <button type="button" className="vm-name" aria-current={selected} onClick={onSelect}>
          <span className="name">{vm.state.name}</span>
          <span className={`status status-${vm.state.status}`}>{vm.state.status}</span>
          <span className="muted small" data-testid="vm-storage" title="Size of this VM's event stream as stored (JSON length, before the browser's own compression); checkpoints and boot images are not included">
            {vm.state.version.toLocaleString('en')} events · ≈{formatBytes(vm.bytes)}
          </span>
        </button>
      )}
      {mode === 'confirm-delete' ? (
        <div className="confirm" role="alertdialog" aria-label={`Delete ${vm.state.name}?`}>
          <span>
            Delete “{vm.state.name}” and its {vm.state.version} events?
          </span>
          <button type="button" className="danger" onClick={() => void deleteVm(vm.vmId)}>
            Delete
          </button>
          <button type="button" autoFocus onClick={() => setMode('idle')}>
            Cancel
          </button>
        </div>
      ) : (
        <div className="item-actions">
          <button type="button" onClick={() => (setDraft(vm.state.name), setMode('rename'))} aria-label={`Rename ${vm.state.name}`}>
            Rename
          </button>
          <button
            type="button"
            aria-label={`Export ${vm.state.name}`}
            onClick={() =>
              void exportVm(vm.vmId).then((file) => {
                if (file) download(file.fileName, file.text);
              })
            }
          >
            Export
          </button>
          <button
            type="button"
            aria-label={`Verify ${vm.state.name}`}
            title="Re-execute the whole recording and check every recorded effect"
            onClick={() => void verify(vm.vmId).then(setVerified)}
          >
            Verify
          </button>
          <button type="button" aria-label={`Delete ${vm.state.name}`} onClick={() => setMode('confirm-delete')}>
            Delete
          </button>
        </div>
      )}
      {verified && (
        <p className={verified.ok ? 'verify-result ok' : 'verify-result bad'} data-testid="verify-result" role="status">
          {verified.ok
            ? `Replay matches: ${verified.checked.toLocaleString('en')} effects of ${verified.events.toLocaleString('en')} events checked.`
            : `Diverges at seq ${verified.divergence?.seq} (${verified.divergence?.type}): expected ${verified.divergence?.expected}, got ${verified.divergence?.actual}.`}
        </p>
      )}
    </li>
  );
}

function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
