// How each connection status looks (tone of the dot) and the one action that helps.
import type { ConnectionStatus } from '../../../shared/status';
import type { SettingsFocus } from '../stores/uiStore';

export type Tone = 'ok' | 'warn' | 'bad' | 'idle';

export const TONE: Record<ConnectionStatus, Tone> = {
  'local-only': 'idle',
  connecting: 'warn',
  connected: 'ok',
  'http-fallback': 'warn',
  offline: 'warn',
  'auth-failed': 'bad',
  'name-conflict': 'bad',
  closed: 'idle',
};

/** Short label in front of the host's message, for when the message is clipped. */
export const LABEL: Record<ConnectionStatus, string> = {
  'local-only': 'Local only',
  connecting: 'Connecting',
  connected: 'Connected',
  'http-fallback': 'HTTP fallback',
  offline: 'Offline',
  'auth-failed': 'Auth failed',
  'name-conflict': 'Name conflict',
  closed: 'Closed',
};

export const ACTION: Partial<Record<ConnectionStatus, { label: string; focus: SettingsFocus }>> = {
  'local-only': { label: 'Add API key', focus: 'key' },
  'auth-failed': { label: 'Check API key', focus: 'key' },
  'name-conflict': { label: 'Rename device', focus: 'name' },
  offline: { label: 'Gateway settings', focus: 'gateway' },
};
