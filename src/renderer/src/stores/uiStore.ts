// Window-only state that distant components share: which dialog is open and what it should focus,
// and one-shot requests from keyboard shortcuts.
import { create } from 'zustand';

/** The part of device setup a status action wants to bring into view. */
export type SettingsFocus = 'name' | 'key' | 'gateway';

export interface UiStore {
  /** The device-setup dialog is open. */
  settingsOpen: boolean;
  /** Which field the device-setup dialog focuses when it opens. */
  settingsFocus: SettingsFocus;
  /** The "stop recording?" confirmation (from the R key) is open. */
  stopConfirmOpen: boolean;
  /** Bumped to ask the metric filter to take focus (the / key). */
  filterFocusRequest: number;
}

export const useUiStore = create<UiStore>(() => ({
  settingsOpen: false,
  settingsFocus: 'name',
  stopConfirmOpen: false,
  filterFocusRequest: 0,
}));

export const openSettings = (focus: SettingsFocus = 'name'): void =>
  useUiStore.setState({ settingsOpen: true, settingsFocus: focus });
export const closeSettings = (): void => useUiStore.setState({ settingsOpen: false });
