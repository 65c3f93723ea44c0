// Entry point of the single-page app: start the worker, create the store, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectWorker } from './client/vmClient.ts';
import { createAppStore } from './ui/appStore.ts';
import { AppStoreContext } from './ui/AppContext.tsx';
import { App } from './ui/App.tsx';
import './ui/styles.css';

// Ask the browser not to evict the VMs' history under storage pressure; a refusal changes nothing else.
void navigator.storage?.persist?.().catch(() => false);

const store = createAppStore(connectWorker());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppStoreContext.Provider value={store}>
      <App />
    </AppStoreContext.Provider>
  </StrictMode>,
);
