// Serial devices for tests: each test file makes local-only clients and devices on socat ptys,
// and an afterEach stops every one of them, kills the pty processes and removes the temp dirs.
import { Plexus } from '../../src/main/plexus';
import { SerialDevice, type SerialDeviceConfig } from '../../src/main/devices/serial';
import { killAllPtyProcesses } from './pty';
import { cleanupTempDirs, tempDir } from './tmp';

type DeviceOptions = ConstructorParameters<typeof SerialDevice>[2];

export interface SerialBench {
  /** A client that only records locally, on a fresh data dir. */
  localClient(): Plexus;
  /** A started device named `name` (unless cfg says otherwise) that polls for its port every 100 ms. */
  device(cfg: Partial<SerialDeviceConfig> & { path: string }, client: Plexus, opts?: DeviceOptions): SerialDevice;
  /** afterEach: stop the devices, close the clients, kill the ptys, remove the temp dirs. */
  cleanup(): Promise<void>;
}

export function serialBench(name: string): SerialBench {
  let devices: SerialDevice[] = [];
  let clients: Plexus[] = [];
  return {
    localClient() {
      const c = new Plexus({ apiKey: null, dataDir: tempDir(), sourceId: 'rig-01' });
      clients.push(c);
      return c;
    },
    device(cfg, client, opts = {}) {
      const d = new SerialDevice({ name, baudRate: 115_200, parser: 'auto', ...cfg }, client, {
        presencePollMs: 100,
        ...opts,
      });
      devices.push(d);
      d.start();
      return d;
    },
    async cleanup() {
      await Promise.all(devices.map((d) => d.stop()));
      devices = [];
      await Promise.all(clients.map((c) => c.close()));
      clients = [];
      await killAllPtyProcesses();
      cleanupTempDirs();
    },
  };
}
