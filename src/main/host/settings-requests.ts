// The window's requests about settings: the device name, the API key, the gateway and FFmpeg.
// Each saves the settings file and tells the window; the key rules live in gateway-key.ts.

import type { RequestHandlers, SettingsView } from '../../shared/contract';
import { DEFAULT_GATEWAY_URL, type Plexus } from '../plexus';
import type { AppLog } from './app-log';
import { ContractError } from './contract-error';
import { checkFfmpeg } from './ffmpeg-check';
import { gatewayHost, gatewayOptions, plainTextRisk } from './gateway-key';
import type { SecretStore } from './secrets';
import type { Settings } from './settings';
import type { Sources } from './sources';

type SettingsRequest =
  'settings.setDeviceName' | 'settings.setApiKey' | 'settings.setGateway' | 'settings.setFfmpegPath';

export interface SettingsRequestContext {
  client: Plexus;
  /** The live settings object (edited in place, then saved). */
  settings: Settings;
  secrets: SecretStore;
  log: AppLog;
  sources: Sources;
  /** FFmpeg when the technician has not chosen one (the app's option, else PATH). */
  defaultFfmpegPath: string | null;
  save(): void;
  stateChanged(): void;
  view(): SettingsView;
  setKeyProblem(problem: string | null): void;
  /** The key the client should use now (see keyForGateway); records why when it may not. */
  effectiveKey(): string | null | undefined;
  setFfmpeg(ffmpeg: SettingsView['ffmpeg']): void;
}

export function settingsRequests(ctx: SettingsRequestContext): Pick<RequestHandlers, SettingsRequest> {
  const { client, settings } = ctx;
  const done = (): SettingsView => {
    ctx.save();
    ctx.stateChanged();
    return ctx.view();
  };
  return {
    'settings.setDeviceName': ({ name }) => {
      client.setSourceId(name);
      settings.deviceName = name;
      return done();
    },
    'settings.setApiKey': ({ apiKey }) => {
      const risk = apiKey === null ? null : plainTextRisk(settings.gateway);
      if (risk) throw new ContractError(risk, 'failed');
      settings.apiKey = apiKey === null ? null : ctx.secrets.seal(apiKey);
      settings.apiKeyHost = apiKey === null ? null : gatewayHost(settings.gateway);
      ctx.setKeyProblem(null);
      ctx.save();
      client.setApiKey(settings.gateway.mode === 'local' ? null : apiKey);
      ctx.stateChanged();
      return ctx.view();
    },
    'settings.setGateway': ({ gateway }) => {
      const keyed = settings.apiKey !== null;
      const risk = keyed ? plainTextRisk(gateway) : null;
      if (risk) throw new ContractError(`${risk}; or remove the API key first`, 'failed');
      settings.gateway = gateway;
      const host = gatewayHost(gateway);
      if (keyed && host !== null && host !== settings.apiKeyHost) {
        // A key goes only to the gateway it was entered for: a new host asks for it again.
        settings.apiKey = null;
        settings.apiKeyHost = null;
        const problem = `the API key was removed because the gateway changed to ${host}: enter the key for this gateway`;
        ctx.setKeyProblem(problem);
        ctx.log.warn(problem);
      }
      ctx.save();
      if (gateway.mode !== 'local') {
        const o = gatewayOptions(gateway);
        client.setGateway(o.gatewayUrl ?? process.env.PLEXUS_GATEWAY_URL ?? DEFAULT_GATEWAY_URL, o.gatewayWsUrl);
      }
      const key = ctx.effectiveKey();
      client.setApiKey(key === undefined ? (process.env.PLEXUS_API_KEY ?? null) : key);
      ctx.stateChanged();
      return ctx.view();
    },
    'settings.setFfmpegPath': async ({ path }) => {
      const checked = await checkFfmpeg(path ?? ctx.defaultFfmpegPath);
      if (checked.problem) throw new ContractError(checked.problem, 'failed');
      settings.ffmpegPath = path;
      ctx.sources.setFfmpegPath(path ?? ctx.defaultFfmpegPath);
      ctx.setFfmpeg({ path, ...checked });
      ctx.log.info(`FFmpeg: ${checked.found} (${checked.version})`);
      return done();
    },
  };
}
