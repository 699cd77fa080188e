// A plugin's commands in the real host, from both sides. From the platform (the test gateway): a
// command declared with requiresApproval waits in the inbox, naming its plugin and params, and the
// handler runs only once the technician approves; rejected, the platform gets the reason; left
// unanswered, it times out without the handler ever running. From the window: plugin.command runs
// the plugin's own handler locally (no gateway, no approval), answering its result or its error.
import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../../src/main/host';
import { TestGateway } from '../support/gateway';
import { until } from '../helpers/plexus';
import { cleanupTempDirs } from '../helpers/tmp';
import { call, startHost, stopHosts } from '../helpers/host';
import { scriptPlugin } from '../plugins/helpers';

let gw: TestGateway | undefined;

afterEach(async () => {
  await stopHosts();
  await gw?.close();
  gw = undefined;
  cleanupTempDirs();
});

// Every run of a handler (and the start) is counted, as a metric and in send's result, so the
// tests see whether a handler ran at all.
const PSU = `let runs = 0;
    const ran = () => { ctx.send('runs', ++runs); return runs; };
    ran();
    ctx.onCommand('set_voltage', (params) => {
      if (typeof params.volts !== 'number') throw new Error('volts must be a number');
      if (params.volts > 30) throw new Error('the supply goes up to 30 V');
      ran();
      return { ok: true, volts: params.volts };
    }, { description: 'set the output voltage', params: [{ name: 'volts', type: 'float' }], requiresApproval: true });
    ctx.onCommand('send', async (params) => {
      const run = ran();
      if (params.line === 'HANG') await new Promise((r) => setTimeout(r, 60_000));
      return { reply: 'echo ' + String(params.line), run };
    }, { description: 'send a line to the instrument', params: [{ name: 'line', type: 'string' }], timeoutMs: 1500 });`;

async function connect(h: Host): Promise<TestGateway> {
  gw = await TestGateway.start();
  await call(h, 'settings.setGateway', { gateway: { mode: 'custom', url: gw.url, wsUrl: gw.wsUrl } });
  await call(h, 'settings.setDeviceName', { name: 'rig-11' });
  await call(h, 'settings.setApiKey', { apiKey: 'plx_test_key_123' });
  await until(() => h.state().status.status === 'connected', 10_000, 'connected');
  return gw;
}

/** The instance's runs counter as the host last saw it. */
function runsOf(h: Host): () => number {
  let runs = 0;
  h.on('tick', (t) =>
    t.metrics.forEach((m) => {
      if (m[0] === 'psu.runs' && typeof m[1] === 'number') runs = m[1];
    }),
  );
  return () => runs;
}

async function addPsu(h: Host): Promise<string> {
  const { id } = await call(h, 'plugin.add', { folder: scriptPlugin('psu', PSU), name: 'psu' });
  await until(
    () =>
      h
        .state()
        .plugins.find((p) => p.id === id)
        ?.commands.includes('psu.set_voltage') ?? false,
    20_000,
    'the plugin’s commands',
  );
  return id;
}

describe('a plugin command that needs the technician’s approval', () => {
  it('waits in the inbox with its plugin and params; runs once approved; rejected or unanswered, it never runs', async () => {
    const h = await startHost(undefined, { answerTimeoutMs: 3000 });
    const runs = runsOf(h);
    const g = await connect(h);
    await addPsu(h);
    await until(() => runs() === 1, 10_000, 'the plugin running');
    const results = (cid: string) => g.commandResults.filter((r) => r.msg.id === cid).map((r) => r.msg);
    const entry = (cid: string) => h.state().inbox.find((c) => c.id === cid);

    // Approved: the handler runs, and its result is the answer.
    const ok = g.sendCommand('rig-11', { command: 'psu.set_voltage', params: { volts: 12.5 } });
    await until(() => entry(ok)?.state === 'waiting', 10_000, 'waiting for approval');
    expect(entry(ok)).toMatchObject({
      command: 'psu.set_voltage',
      params: { volts: 12.5 },
      handledBy: 'plugin',
      plugin: 'psu',
      needsApproval: true,
      answerWithinS: 3,
    });
    // The ack reaches the gateway on its own way: wait for it, then nothing more came.
    await until(() => results(ok).length > 0, 10_000, 'the ack');
    expect(results(ok).map((m) => m.event)).toEqual(['ack']);
    expect(runs()).toBe(1); // not run yet
    await call(h, 'command.answer', { id: ok, approve: true });
    await until(() => results(ok).length === 2, 10_000, 'the result');
    expect(results(ok)[1]).toMatchObject({ event: 'result', result: { ok: true, volts: 12.5 } });
    await until(() => runs() === 2, 10_000, 'the handler ran once');
    expect(entry(ok)).toMatchObject({ state: 'result', outcome: 'approved' });

    // Approved, but the handler refuses: its error is the answer.
    const high = g.sendCommand('rig-11', { command: 'psu.set_voltage', params: { volts: 48 } });
    await until(() => entry(high)?.state === 'waiting', 10_000, 'waiting');
    await call(h, 'command.answer', { id: high, approve: true });
    await until(() => results(high).length === 2, 10_000, 'the error');
    expect(results(high)[1]).toMatchObject({ event: 'error', error: 'the supply goes up to 30 V' });
    expect(entry(high)).toMatchObject({ state: 'error', outcome: 'failed' });

    // Rejected: the platform gets the reason, and the handler never runs.
    const no = g.sendCommand('rig-11', { command: 'psu.set_voltage', params: { volts: 5 } });
    await until(() => entry(no)?.state === 'waiting', 10_000, 'waiting');
    await call(h, 'command.answer', { id: no, approve: false, reason: 'the DUT is not connected' });
    await until(() => results(no).length === 2, 10_000, 'the rejection');
    expect(results(no)[1]).toMatchObject({
      event: 'error',
      error: 'rejected by the technician: the DUT is not connected',
    });
    expect(entry(no)).toMatchObject({ state: 'error', outcome: 'rejected' });

    // Unanswered: it times out at the technician's deadline, not the handler's.
    const late = g.sendCommand('rig-11', { command: 'psu.set_voltage', params: { volts: 6 } });
    await until(() => entry(late)?.state === 'waiting', 10_000, 'waiting');
    await until(() => results(late).length === 2, 15_000, 'the timeout');
    expect(results(late)[1]).toMatchObject({ event: 'error', error: 'timed out after 3 s: nobody approved it' });
    expect(entry(late)).toMatchObject({ state: 'error', outcome: 'timed-out' });
    const again = await h.handle('command.answer', { id: late, approve: true });
    expect(again.ok || again.error.message).toMatch(/already answered with an error/);

    // A command without requiresApproval is answered by the plugin at once.
    const send = g.sendCommand('rig-11', { command: 'psu.send', params: { line: '*IDN?' } });
    await until(() => results(send).length === 2, 10_000, 'send answered');
    // Only the start, the approved call and this one ran: never the rejected or unanswered ones.
    expect(results(send)[1]).toMatchObject({ event: 'result', result: { reply: 'echo *IDN?', run: 3 } });
    expect(entry(send)).toMatchObject({ handledBy: 'plugin', plugin: 'psu', state: 'result', outcome: 'done' });
    expect(entry(send)?.needsApproval).toBeUndefined();
  });
});

describe('a plugin command declared again differently', () => {
  it('takes the new declaration when the plugin comes back from a crash: an approval it now asks for is asked for', async () => {
    const h = await startHost(undefined, { answerTimeoutMs: 3000 });
    const g = await connect(h);
    // Guarded once it has crashed (a file beside it says so): its commands are kept while it
    // restarts, and its second run declares "switch" differently.
    const folder = scriptPlugin(
      'relay',
      `const marker = require('node:path').join(__dirname, 'crashed');
    const guarded = require('node:fs').existsSync(marker);
    ctx.onCommand('switch', () => ({ switched: true }), { params: [], requiresApproval: guarded });
    ctx.onCommand('crash', () => {
      require('node:fs').writeFileSync(marker, '');
      setTimeout(() => { throw new Error('crashed on purpose'); }, 50);
      return 'crashing';
    }, { params: [] });`,
    );
    const { id } = await call(h, 'plugin.add', { folder, name: 'relay' });
    const spec = () =>
      h
        .state()
        .plugins.find((p) => p.id === id)
        ?.commandSpecs?.find((c) => c.name === 'relay.switch');
    await until(() => spec() !== undefined, 20_000, 'the command');
    expect(spec()?.requiresApproval).toBeUndefined();
    const results = (cid: string) => g.commandResults.filter((r) => r.msg.id === cid).map((r) => r.msg);
    const first = g.sendCommand('rig-11', { command: 'relay.switch', params: {} });
    await until(() => results(first).length === 2, 10_000, 'answered at once');

    await call(h, 'plugin.command', { id, command: 'crash', params: {} });
    await until(() => (h.state().plugins.find((p) => p.id === id)?.restarts ?? 0) >= 1, 20_000, 'the restart');
    await until(() => spec()?.requiresApproval === true, 20_000, 'the new declaration');
    const second = g.sendCommand('rig-11', { command: 'relay.switch', params: {} });
    await until(() => h.state().inbox.find((c) => c.id === second)?.state === 'waiting', 10_000, 'asked for');
    await until(() => results(second).length > 0, 10_000, 'the ack');
    expect(results(second).map((m) => m.event)).toEqual(['ack']);
  });
});

describe('a plugin command sent from the window (plugin.command)', () => {
  it('runs the handler locally, with no gateway and no approval, and answers its result or its error in words', async () => {
    const h = await startHost();
    const runs = runsOf(h);
    const id = await addPsu(h);
    const view = h.state().plugins.find((p) => p.id === id)!;
    expect(view.commandSpecs).toEqual([
      {
        name: 'psu.set_voltage',
        description: 'set the output voltage',
        params: [{ name: 'volts', type: 'float' }],
        requiresApproval: true,
      },
      { name: 'psu.send', description: 'send a line to the instrument', params: [{ name: 'line', type: 'string' }] },
    ]);

    // Needs approval from the platform, but not from the technician at the bench.
    expect(await call(h, 'plugin.command', { id, command: 'psu.set_voltage', params: { volts: 7 } })).toEqual({
      result: { ok: true, volts: 7 },
    });
    // By its own name too, as the plugin declared it.
    expect(await call(h, 'plugin.command', { id, command: 'send', params: { line: 'VOLT 12.0' } })).toEqual({
      result: { reply: 'echo VOLT 12.0', run: 3 },
    });
    await until(() => runs() === 3, 10_000, 'the runs counted');
    expect(h.state().inbox).toEqual([]); // nothing went through the inbox

    const refused = await h.handle('plugin.command', { id, command: 'psu.set_voltage', params: { volts: 'high' } });
    expect(refused).toEqual({
      ok: false,
      error: { code: 'failed', message: 'Could not run the plugin’s command: psu.set_voltage: volts must be a number' },
    });
    const unknown = await h.handle('plugin.command', { id, command: 'psu.explode', params: {} });
    expect(unknown.ok || unknown.error.message).toBe(
      'Could not run the plugin’s command: plugin "psu" has no command "psu.explode" (its commands: psu.set_voltage, psu.send)',
    );
    const noPlugin = await h.handle('plugin.command', { id: 'nope', command: 'psu.send', params: {} });
    expect(noPlugin).toMatchObject({ ok: false, error: { code: 'not-found' } });

    // A handler that does not finish is answered at its deadline (1.5 s), and the recorder goes on.
    const t0 = Date.now();
    const hung = await h.handle('plugin.command', { id, command: 'psu.send', params: { line: 'HANG' } });
    expect(hung.ok || hung.error.message).toBe('Could not run the plugin’s command: psu.send timed out after 1.5 s');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(await call(h, 'plugin.command', { id, command: 'psu.send', params: { line: 'x' } })).toMatchObject({
      result: { reply: 'echo x' },
    });

    // Switched off, its commands are gone, and the window is told so.
    await call(h, 'plugin.setEnabled', { id, enabled: false });
    const off = await h.handle('plugin.command', { id, command: 'psu.send', params: {} });
    expect(off.ok || off.error.message).toBe(
      'Could not run the plugin’s command: plugin "psu" has no commands right now (it is switched off)',
    );
  });
});
