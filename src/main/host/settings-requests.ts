// The window's requests about settings: the device name, the API key, the gateway and FFmpeg.
// Each saves the settings file and tells the window; the key rules live in gateway-key.ts.
//
// The Settings dialog's Save is one request (settings.save): the contract checks every field
// first, then every rule that can refuse (the key over plain http) is checked against the settings
// as they will be, and only then is anything changed — all or nothing. So a bad gateway URL never
// leaves a new name and key saved, and the key is never sent to the previous gateway on the way.

import type { GatewaySetting, RequestHandlers, SettingsView } from '../../shared/contract';
import { DEFAULT_GATEWAY_URL, type Plexus } from '../plexus';
import type { AppLog } from './app-log';
import { ContractError } from './contract-error';
import { checkFfmpeg } from './ffmpeg-check';
import { gatewayHost, gatewayOptions, plainTextRisk } from './gateway-key';
import type { SecretStore } from './secrets';
import type { Settings } from './settings';
import type { Sources } from './sources';

type SettingsRequest =
  'settings.save' | 'settings.setDeviceName' | 'settings.setApiKey' | 'settings.setGateway' | 'settings.setFfmpegPath';

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

  /** Why a new gateway must be refused while a key is saved (null: it may be used). */
  const gatewayRisk = (gateway: GatewaySetting, keyed: boolean): string | null => {
    const risk = keyed ? plainTextRisk(gateway) : null;
    return risk ? `${risk}; or remove the API key first` : null;
  };

  /** Change the gateway in the settings (not yet in the client); a key for another host is dropped. */
  const putGateway = (gateway: GatewaySetting): void => {
    const keyed = settings.apiKey !== null;
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
  };

  /** Keep a key, bound to the gateway in the settings now. */
  const putKey = (apiKey: string | null): void => {
    settings.apiKey = apiKey === null ? null : ctx.secrets.seal(apiKey);
    settings.apiKeyHost = apiKey === null ? null : gatewayHost(settings.gateway);
    ctx.setKeyProblem(null);
  };

  /** Point the client at the saved gateway (first) and give it the key it may use there (then). */
  const applyToClient = (gatewayChanged: boolean): void => {
    if (gatewayChanged && settings.gateway.mode !== 'local') {
      const o = gatewayOptions(settings.gateway);
      client.setGateway(o.gatewayUrl ?? process.env.PLEXUS_GATEWAY_URL ?? DEFAULT_GATEWAY_URL, o.gatewayWsUrl);
    }
    const key = ctx.effectiveKey();
    client.setApiKey(key === undefined ? (process.env.PLEXUS_API_KEY ?? null) : key);
  };

  return {
    'settings.save': ({ deviceName, gateway, apiKey }) => {
      // Everything that can refuse, against the settings as they will be, before anything changes.
      const nextGateway = gateway ?? settings.gateway;
      if (apiKey !== undefined) {
        const risk = plainTextRisk(nextGateway);
        if (risk) throw new ContractError(risk, 'failed');
      } else if (gateway) {
        const risk = gatewayRisk(gateway, settings.apiKey !== null);
        if (risk) throw new ContractError(risk, 'failed');
      }
      if (deviceName !== undefined && deviceName !== settings.deviceName) {
        client.setSourceId(deviceName);
        settings.deviceName = deviceName;
      }
      if (gateway) putGateway(gateway);
      if (apiKey !== undefined) putKey(apiKey);
      ctx.save();
      if (gateway || apiKey !== undefined) applyToClient(gateway !== undefined);
      ctx.stateChanged();
      return ctx.view();
    },
    'settings.setDeviceName': ({ name }) => {
      client.setSourceId(name);
      settings.deviceName = name;
      return done();
    },
    'settings.setApiKey': ({ apiKey }) => {
      const risk = apiKey === null ? null : plainTextRisk(settings.gateway);
      if (risk) throw new ContractError(risk, 'failed');
      putKey(apiKey);
      ctx.save();
      client.setApiKey(settings.gateway.mode === 'local' ? null : apiKey);
      ctx.stateChanged();
      return ctx.view();
    },
    'settings.setGateway': ({ gateway }) => {
      const risk = gatewayRisk(gateway, settings.apiKey !== null);
      if (risk) throw new ContractError(risk, 'failed');
      putGateway(gateway);
      ctx.save();
      applyToClient(true);
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
