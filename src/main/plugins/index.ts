// The plugin host: script plugins (worker threads), process plugins (child processes) and
// loopback line sources, behind one class the recorder's host composes.
export {
  Plugins,
  PluginNotFoundError,
  DEFAULT_TIMING,
  type PluginsOptions,
  type SavedPlugins,
  type SavedNetwork,
} from './plugins';
export type { InstanceSettings, PluginTiming } from './plugin-instance';
export type { PluginSink, RegisterCommand } from './types';
export type { SerialOpener, OpenedSerialPort, CheckedSerialOptions } from './serial/types';
export { findAppRoot, builtInPluginsDir } from './app-root';
