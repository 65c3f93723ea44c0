// The page: header, VM list, the selected VM's panel, and error messages.
import { useContext, useEffect, useState } from 'react';
import { AppStoreContext, useApp } from './AppContext.tsx';
import { ErrorToasts } from './components/ErrorToasts.tsx';
import { HelpOverlay } from './components/HelpOverlay.tsx';
import { VmList } from './components/VmList.tsx';
import { WorkProgress } from './components/WorkProgress.tsx';
import { travelShortcut } from './components/Scrubber.tsx';
import { lifecycleShortcut, VmPanel } from './components/VmPanel.tsx';

export function App() {
  const store = useContext(AppStoreContext);
  const loaded = useApp((s) => s.loaded);
  const [help, setHelp] = useState(false);

  useEffect(() => {
    void store?.getState().refresh();
  }, [store]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!store) return;
      const target = event.target as HTMLElement | null;
      if (event.key === '?' && !target?.closest('.console, input, textarea')) {
        event.preventDefault();
        setHelp((open) => !open);
        return;
      }
      const travel = travelShortcut(event);
      if (travel) {
        event.preventDefault();
        travel(store.getState());
        return;
      }
      const command = lifecycleShortcut(event);
      if (!command) return;
      event.preventDefault();
      void store.getState().execute(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>VM Playground</h1>
        <span className="muted">a time-travel RISC-V machine, every change an event</span>
        <button type="button" className="help-button" onClick={() => setHelp(true)} aria-keyshortcuts="?" title="Keyboard shortcuts (?)">
          ?
        </button>
      </header>
      <main className="layout" aria-busy={!loaded}>
        <VmList />
        <VmPanel />
      </main>
      <WorkProgress />
      <ErrorToasts />
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
    </div>
  );
}
