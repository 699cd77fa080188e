// An SCPI instrument: a bench power supply, a multimeter, an electronic load — anything that
// answers *IDN? over its LAN socket (port 5025) or a serial port. It records who the instrument
// is, polls the query table into metrics, reads the instrument's error queue and sends settings.
//
// This file only wires the plugin API to the plain modules beside it, which hold the protocol
// and are tested on their own: connection.ts (one request in flight), poller.ts (a poll cycle),
// error-queue.ts (SYST:ERR?), commands.ts (parameter checks), session.ts (connect, poll,
// reconnect). Besides the plugin API it uses only Node's own modules: a serial port is opened by
// the recorder (ctx.serial), since serial drivers cannot run in a plugin's thread.
import { definePlugin } from 'plexus-bench/plugin';
import { checkLine, setCurrent, setOutput, setVoltage, SPECS, type Setting } from './commands';
import { checkConfig, SCHEMA } from './config';
import { ScpiSession } from './session';

export default definePlugin({
  id: 'scpi',
  name: 'SCPI instrument',
  version: '1.0.0',
  description: 'An SCPI instrument over TCP or serial: identity, polled queries, error queue, settings.',
  config: SCHEMA,
  setup(ctx) {
    const checked = checkConfig(ctx.config);
    if (!checked.ok) {
      // A setting missing is no crash: restarting would not fix it. Say what to set, and wait.
      for (const p of checked.problems) ctx.log.error(p);
      const [first, ...more] = checked.problems;
      ctx.status(more.length ? `${first} (and ${more.length} more: see the log)` : (first ?? ''));
      return;
    }
    const { settings } = checked;
    for (const note of settings.notes) ctx.log.warn(note);
    const session = new ScpiSession(ctx, settings);

    // The window's command line sends `send`; the platform may send all four, and each waits for
    // the technician's approval first (SPECS: requiresApproval).
    ctx.onCommand('send', (params) => session.send(checkLine(params)), SPECS.send);
    // A setting is checked (a refused value throws before anything is sent), sent, and read back.
    const setting = (check: (params: Record<string, unknown>) => Setting) => (params: Record<string, unknown>) => {
      const s = check(params);
      return session.set(s.line, s.readback);
    };
    ctx.onCommand(
      'set_voltage',
      setting((p) => setVoltage(p, settings.limits.volts)),
      SPECS.set_voltage,
    );
    ctx.onCommand(
      'set_current',
      setting((p) => setCurrent(p, settings.limits.amps)),
      SPECS.set_current,
    );
    ctx.onCommand('output', setting(setOutput), SPECS.output);

    session.start();
    return () => session.stop();
  },
});
