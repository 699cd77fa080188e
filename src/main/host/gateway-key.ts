// Where the API key may go. A saved key is bound to the gateway host it was entered for, and is
// never sent over plain http/ws to a host that is not this machine (docs/ARCHITECTURE.md, threat
// model): pointing the recorder at another gateway must not hand it the key.

import type { GatewaySetting } from '../../shared/contract';
import { DEFAULT_GATEWAY_URL } from '../plexus';
import { openAnyUnprotected, type SecretStore } from './secrets';
import type { Settings } from './settings';

/** host:port of the gateway a setting points at (null: local only, nothing is sent). */
export function gatewayHost(g: GatewaySetting): string | null {
  if (g.mode === 'local') return null;
  const url = g.mode === 'custom' ? g.url : (process.env.PLEXUS_GATEWAY_URL ?? DEFAULT_GATEWAY_URL);
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Why a key must not go to this gateway: plain http/ws to a host that is not this machine. */
export function plainTextRisk(g: GatewaySetting): string | null {
  if (g.mode !== 'custom') return null;
  for (const u of [g.url, g.wsUrl]) {
    if (!u) continue;
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      continue;
    }
    if ((url.protocol === 'http:' || url.protocol === 'ws:') && !LOOPBACK.has(url.hostname))
      return `the gateway ${url.host} is not encrypted (${url.protocol}//): the API key would travel in clear text — use https:// (wss://), or a gateway on this machine`;
  }
  return null;
}

/** The client's gateway options for a setting (none: the client's default, or the environment's). */
export function gatewayOptions(g: GatewaySetting): { gatewayUrl?: string; gatewayWsUrl?: string } {
  if (g.mode !== 'custom') return {};
  return g.wsUrl ? { gatewayUrl: g.url, gatewayWsUrl: g.wsUrl } : { gatewayUrl: g.url };
}

/**
 * The key to give the client for these settings: the saved one when it may go to this gateway;
 * null (send nothing) with the reason when it may not or cannot be opened; undefined when none is
 * saved (PLEXUS_API_KEY may still provide one). Binds a key saved before the rule to its host.
 */
export function keyForGateway(
  settings: Settings,
  secrets: SecretStore,
): { key: string | null | undefined; problem: string | null } {
  if (settings.gateway.mode === 'local') return { key: null, problem: null };
  if (settings.apiKey === null) return { key: undefined, problem: null };
  const host = gatewayHost(settings.gateway);
  if (settings.apiKeyHost === undefined) settings.apiKeyHost = host; // a file from before the rule
  if (host !== settings.apiKeyHost) {
    return {
      key: null,
      problem: `the saved API key was entered for ${settings.apiKeyHost ?? 'another gateway'}, not ${host}: enter the key for this gateway`,
    };
  }
  const risk = plainTextRisk(settings.gateway);
  if (risk) return { key: null, problem: risk };
  try {
    return { key: secrets.open(settings.apiKey), problem: null };
  } catch (e) {
    const plain = openAnyUnprotected(settings.apiKey);
    if (plain !== null) return { key: plain, problem: null };
    return { key: null, problem: (e as Error).message };
  }
}
