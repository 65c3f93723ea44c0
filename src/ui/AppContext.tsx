// React access to the app store: a context holding the zustand store and a selector hook.
import { createContext, useContext } from 'react';
import { useStore, type StoreApi } from 'zustand';
import type { AppState } from './appStore.ts';

export const AppStoreContext = createContext<StoreApi<AppState> | null>(null);

export function useApp<T>(selector: (state: AppState) => T): T {
  const store = useContext(AppStoreContext);
  if (!store) throw new Error('useApp needs an <AppStoreContext.Provider> above it');
  return useStore(store, selector);
}
