// The list of VMs: create, select, rename, export, delete (with confirmation), import from a file.
import { useRef, useState, type FormEvent } from 'react';
import type { VmSummary } from '../../client/vmClient.ts';
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

  const onCreate = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    void createVm(trimmed).then(() => setName(''));
  };

  return (
    <nav className="vm-list" aria-label="Virtual machines">
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
        <span className="muted" title="Storage this site uses in the browser">
          {storageBytes === null ? '' : `${formatBytes(storageBytes)} stored`}
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
          <span className="muted small">
            {vm.state.version} events · {formatBytes(vm.bytes)}
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
          <button type="button" aria-label={`Delete ${vm.state.name}`} onClick={() => setMode('confirm-delete')}>
            Delete
          </button>
        </div>
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
