// Keyboard shortcuts: M drops a marker, R starts a run or stops it as the Stop button does (asking
// first when it ran longer than a minute), / focuses the metric filter. They never fire while
// typing, with a modifier held, or while a dialog is open.
import { useEffect } from 'react';
import { dropMarker } from './run/markerStore';
import { toggleRunFromKeyboard } from './run/recorderStore';
import { useUiStore } from './stores/uiStore';

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    // Checkboxes, radios and buttons don't take text; everything else does.
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
  }
  return false;
}

export function useShortcuts(): void {
  useEffect(() => {
    function onKey(e: KeyboardEvent): void {
      if (e.defaultPrevented || e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
      if (typing(e.target) || document.querySelector('dialog[open]')) return;
      const key = e.key;
      if (key === 'm' || key === 'M') {
        e.preventDefault();
        void dropMarker();
      } else if (key === 'r' || key === 'R') {
        e.preventDefault();
        toggleRunFromKeyboard();
      } else if (key === '/') {
        e.preventDefault();
        useUiStore.setState((s) => ({ filterFocusRequest: s.filterFocusRequest + 1 }));
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
