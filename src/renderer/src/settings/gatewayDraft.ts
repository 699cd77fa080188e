// The gateway choice as the form edits it, and its conversion to the contract's setting.
import { gatewayUrlProblem, type GatewaySetting } from '../../../shared/gateway';

export interface GatewayDraft {
  mode: GatewaySetting['mode'];
  url: string;
  wsUrl: string;
}

export function draftFrom(g: GatewaySetting): GatewayDraft {
  return g.mode === 'custom'
    ? { mode: 'custom', url: g.url, wsUrl: g.wsUrl ?? '' }
    : { mode: g.mode, url: '', wsUrl: '' };
}

/** The same rule the host applies, checked as the technician types. */
export function urlProblem(url: string, schemes: 'http' | 'ws', optional = false): string | null {
  const u = url.trim();
  if (!u) return optional ? null : 'enter the gateway address, e.g. http://plexus.lab:8080';
  return gatewayUrlProblem(u, schemes);
}

export function draftProblem(d: GatewayDraft): { url: string | null; wsUrl: string | null } {
  if (d.mode !== 'custom') return { url: null, wsUrl: null };
  return { url: urlProblem(d.url, 'http'), wsUrl: urlProblem(d.wsUrl, 'ws', true) };
}

export function settingFrom(d: GatewayDraft): GatewaySetting {
  if (d.mode !== 'custom') return { mode: d.mode };
  const ws = d.wsUrl.trim();
  return ws ? { mode: 'custom', url: d.url.trim(), wsUrl: ws } : { mode: 'custom', url: d.url.trim() };
}

export function sameGateway(a: GatewaySetting, b: GatewaySetting): boolean {
  if (a.mode !== b.mode) return false;
  if (a.mode === 'custom' && b.mode === 'custom') return a.url === b.url && (a.wsUrl ?? '') === (b.wsUrl ?? '');
  return true;
}
