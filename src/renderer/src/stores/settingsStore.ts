// Saved device settings (name, key presence, gateway) as the host reports them.
import { create } from 'zustand';
import type { SettingsView } from '../../../shared/contract';

export interface SettingsStore {
  /** The saved settings; null until the first state arrives. */
  settings: SettingsView | null;
}

export const useSettingsStore = create<SettingsStore>(() => ({ settings: null }));
