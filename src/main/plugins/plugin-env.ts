// The environment a plugin starts from: the recorder's own, minus what a plugin must never see —
// the Plexus API key and gateway settings (PLEXUS_*) and Electron's switches.

const HIDDEN = /^(PLEXUS_|ELECTRON_|npm_config_.*(token|auth|password))/i;

export function pluginBaseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !HIDDEN.test(k)) env[k] = v;
  return env;
}
