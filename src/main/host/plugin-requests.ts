// The window's requests about plugins and loopback line sources: typed forwards to the plugin
// host (the contract's schemas have already checked every payload).

import type { RequestHandlers } from '../../shared/contract';
import type { Plugins } from '../plugins';

type PluginRequest =
  | 'plugin.catalog'
  | 'plugin.inspect'
  | 'plugin.add'
  | 'plugin.allow'
  | 'plugin.configure'
  | 'plugin.setEnabled'
  | 'plugin.restart'
  | 'plugin.remove'
  | 'plugin.command'
  | 'network.add'
  | 'network.update'
  | 'network.setEnabled'
  | 'network.remove';

export function pluginRequests(plugins: Plugins): Pick<RequestHandlers, PluginRequest> {
  return {
    'plugin.catalog': () => plugins.catalog(),
    'plugin.inspect': ({ folder }) => plugins.inspect(folder),
    'plugin.add': ({ folder, name, config }) => ({ id: plugins.add(folder, name, config) }),
    'plugin.allow': async ({ id }) => {
      await plugins.allow(id);
      return { id };
    },
    'plugin.configure': async ({ id, name, config }) => {
      await plugins.configure(id, name, config);
      return { id };
    },
    'plugin.setEnabled': async ({ id, enabled }) => {
      await plugins.setEnabled(id, enabled);
      return { id };
    },
    'plugin.restart': async ({ id }) => {
      await plugins.restart(id);
      return { id };
    },
    'plugin.remove': async ({ id }) => {
      await plugins.remove(id);
      return { id };
    },
    'plugin.command': async ({ id, command, params }) => ({
      result: await plugins.sendCommand(id, command, params),
    }),
    'network.add': ({ config }) => ({ id: plugins.addNetwork(config) }),
    'network.update': async ({ id, config }) => {
      await plugins.updateNetwork(id, config);
      return { id };
    },
    'network.setEnabled': async ({ id, enabled }) => {
      await plugins.setNetworkEnabled(id, enabled);
      return { id };
    },
    'network.remove': async ({ id }) => {
      await plugins.removeNetwork(id);
      return { id };
    },
  };
}
