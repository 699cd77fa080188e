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

/**
 * The backlog figure's words. In local-only mode nothing is sent, so every point stays on this
 * machine and the figure rises all day: that is the point of the mode, not an alarm, so it is
 * called what it is. Otherwise it is what waits for the gateway.
 */
export function backlogWords(status: ConnectionStatus | null): { label: string; title: string } {
  if (status === 'local-only')
    return {
      label: 'kept locally',
      title:
        'Local only: every point is kept on this machine, so this number keeps rising — that is expected. Nothing is sent until a gateway and API key are set in Settings.',
    };
  return { label: 'waiting to send', title: 'Points kept on this machine until the gateway confirms them' };
}

/** The connection sentence: the host's, except in the local-only mode the technician chose. */
export function connectionSentence(
  status: ConnectionStatus | null,
  hostMessage: string,
  gatewayMode: 'cloud' | 'custom' | 'local' | null,
): string {
  if (status === 'local-only' && gatewayMode === 'local')
    return 'Local only — kept on this machine, as chosen in Settings';
  return hostMessage;
}
