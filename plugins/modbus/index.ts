// Modbus source: reads a register map from a device over Modbus TCP or RTU and records each value
// as a metric. Also an example of a plugin built only on the public API: the protocol work lives
// in plain modules (register-map, decode, link, poller) that are tested on their own; this file
// only wires them to the recorder.
import { definePlugin } from 'plexus-bench/plugin';
import { configSchema } from './config';
import { ModbusLink } from './link';
import { GroupPoller } from './poller';
import { checkRegisterMap } from './register-map';
import { readingLine, statusLine } from './status';

const STATUS_EVERY_MS = 500;
const PROBLEMS_SHOWN = 5;

export default definePlugin({
  id: 'modbus',
  name: 'Modbus',
  version: '1.0.0',
  description: 'Reads holding and input registers, coils and discrete inputs over Modbus TCP or RTU.',
  config: configSchema,
  async setup(ctx) {
    const c = ctx.config;
    // Just added, nothing set yet: say what to set and wait (a crash and restarts would say less).
    const missing =
      c.transport === 'tcp' && !c.host.trim()
        ? "Modbus TCP needs the device's address: set Host in Settings"
        : c.transport === 'rtu' && !c.serialPath.trim()
          ? 'Modbus RTU needs a serial port: set Serial port in Settings (e.g. /dev/ttyUSB0)'
          : null;
    if (missing) {
      ctx.status(missing);
      return;
    }

    // Each cell was checked against its column before setup; what is wrong across rows (a metric
    // named twice, overlapping registers…) refuses the map here, before anything is sent, every
    // problem named by its row.
    const map = checkRegisterMap(c.registers, c.groups, {
      gap: c.gap,
      maxRegisters: c.maxRegisters,
      rtu: c.transport === 'rtu',
    });
    if (!map.ok) {
      const shown = map.problems.slice(0, PROBLEMS_SHOWN).map((p) => `register map: ${p}`);
      const more = map.problems.length > PROBLEMS_SHOWN ? ` (and ${map.problems.length - PROBLEMS_SHOWN} more)` : '';
      // The message shows the first few; the log has them all.
      if (more) for (const p of map.problems) ctx.log.error(`register map: ${p}`);
      throw new Error(`${shown.join('; ')}${more}`);
    }

    for (const g of map.groups) for (const f of g.fields) ctx.describe(f.metric, f.unit ? { unit: f.unit } : {});

    const link = new ModbusLink({
      transport: c.transport,
      host: c.host.trim(),
      port: c.port,
      serialPath: c.serialPath.trim(),
      serial: ctx.serial,
      baudRate: c.baudRate,
      parity: c.parity,
      stopBits: c.stopBits === 2 ? 2 : 1,
      dataBits: c.dataBits === 7 ? 7 : 8,
      timeoutMs: c.timeoutS * 1000,
      inFlight: c.inFlight,
      log: (level, text) => ctx.log[level](text),
    });
    const pollers = map.groups.map(
      (g) =>
        new GroupPoller(g, link, {
          now: () => ctx.now(),
          record: (values, timestamp) => ctx.sendBatch(values, { timestamp }),
          log: (level, text) => ctx.log[level](text),
        }),
    );
    ctx.log.info(readingLine(link.where.slice(3), map.groups));

    let shown = '';
    const showStatus = (): void => {
      const line = statusLine(
        link.state(),
        pollers.map((p) => ({ name: p.plan.name, stats: p.stats })),
      );
      if (line !== shown) ctx.status((shown = line));
    };
    showStatus();
    const statusTimer = setInterval(showStatus, STATUS_EVERY_MS);
    const runs = pollers.map((p) => p.run(ctx.signal));

    return async () => {
      clearInterval(statusTimer);
      await link.close();
      await Promise.allSettled(runs);
    };
  },
});
