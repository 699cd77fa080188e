// An example script plugin in TypeScript: a simulated force sensor (a load cell on a test rig).
//
// Copy this folder, replace `readSensor()` with your device's reading, and add the folder in
// Plexus Bench (+ Plugin → choose the folder → Review → Allow and run). The recorder compiles the
// TypeScript itself: no build step. It runs in a worker thread of its own; a crash restarts it.
//
// Import only the plugin API and Node's own modules (node:…); npm packages work too, installed
// in this folder (npm install <name>), but none are needed here.
import { setTimeout as sleep } from 'node:timers/promises';
import { definePlugin } from 'plexus-bench/plugin';

export default definePlugin({
  // A stable id: lowercase letters, digits, "-" and "_". The instance's name (by default the id)
  // prefixes every metric: "force" is recorded as "typescript-sensor.force".
  id: 'typescript-sensor',
  name: 'TypeScript sensor (example)',
  version: '1.0.0',
  description: 'A simulated load cell: a force in newtons, a zero command and three settings.',

  // The settings the technician edits in the window (a form is drawn from this schema). The
  // recorder checks them before setup runs, so ctx.config is always valid and complete, and it is
  // typed from this schema: rateHz is a number, shape is 'sine' | 'square' | 'noise', drift is a boolean.
  config: {
    type: 'object',
    properties: {
      // A number with a unit and a range.
      rateHz: { type: 'number', title: 'Rate', unit: 'Hz', default: 10, minimum: 0.1, maximum: 1000 },
      // An enum: the window shows a list to pick from.
      shape: {
        type: 'string',
        title: 'Load shape',
        description: 'How the simulated load changes',
        enum: ['sine', 'square', 'noise'],
        default: 'sine',
      },
      // A boolean: a checkbox.
      drift: {
        type: 'boolean',
        title: 'Zero drift',
        description: 'Let the zero drift slowly, as a real load cell does (the zero command removes it)',
        default: true,
      },
    },
  },

  // Runs when the plugin starts. May be async: the plugin counts as running once it resolves.
  async setup(ctx) {
    const { rateHz, shape, drift } = ctx.config;

    // Units and labels: shown wherever the window shows the metric.
    ctx.describe('force', { unit: 'N', label: 'Force', min: -20, max: 120 });
    ctx.describe('offset', { unit: 'N', label: 'Zero offset' });

    // Pretend to connect to the device. Anything that takes an AbortSignal (fetch, sockets,
    // node:timers/promises…) should get ctx.signal: stopping the plugin then cancels it.
    ctx.status('connecting…');
    await sleep(100, undefined, { signal: ctx.signal });
    ctx.log.info(`connected (simulated), ${rateHz} Hz, ${shape} load${drift ? ', drifting zero' : ''}`);

    let offset = 0; // subtracted from every reading; set by the zero command
    let last = 0; // the last raw reading, for the zero command
    let lastStatus = 0;

    // A remote command from the Plexus platform. Its name is prefixed like a metric
    // ("typescript-sensor.zero"). What the handler returns is the command's result; what it
    // throws is the command's error. Params arrive unchecked: check them here.
    ctx.onCommand(
      'zero',
      (params) => {
        const reads = params.reads === undefined ? 0 : params.reads;
        if (typeof reads !== 'number' || !Number.isFinite(reads)) throw new Error('reads must be a number (newtons)');
        offset = round(last - reads);
        ctx.event('zeroed', { offset, reads }); // an event: recorded with the data, shown on the timeline
        ctx.send('offset', offset);
        ctx.log.info(`zeroed: offset ${offset} N`);
        return { offset }; // the command's result: anything JSON
      },
      {
        description: 'Zero the force: the current load reads as `reads` (default 0) from now on',
        params: [{ name: 'reads', type: 'float', description: 'What the current load should read, in N (default 0)' }],
      },
    );

    const started = Date.now();
    const timer = setInterval(() => {
      last = readSensor((Date.now() - started) / 1000, shape, drift);
      const force = round(last - offset);
      ctx.send('force', force); // a number: a metric. Timestamped now, on the recorder's clock.
      // The status line under the plugin in the window: at most once a second is plenty.
      if (Date.now() - lastStatus >= 1000) {
        lastStatus = Date.now();
        ctx.status(`${force.toFixed(2)} N (offset ${offset.toFixed(2)} N)`);
      }
    }, 1000 / rateHz);

    // Returned from setup: runs when the plugin stops. Clear timers, close ports and sockets here.
    return () => {
      clearInterval(timer);
      ctx.log.info('stopped');
    };
  },
});

/** The simulated load cell: a dead load of 50 N, the load on top, noise and (maybe) drift. */
function readSensor(t: number, shape: 'sine' | 'square' | 'noise', drift: boolean): number {
  const load = shape === 'sine' ? 10 * Math.sin(t) : shape === 'square' ? (Math.floor(t) % 2 === 0 ? 10 : 0) : 0;
  const noise = (Math.random() - 0.5) * (shape === 'noise' ? 2 : 0.1);
  return 50 + load + noise + (drift ? 0.05 * t : 0);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
