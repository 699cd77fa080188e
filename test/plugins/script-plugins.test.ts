// Script plugins in real worker threads: every ctx method, config checks, and every way a plugin
// can break (throw in setup or later, process.exit, an endless loop, running out of memory) —
// each stopped, reported and restarted while another plugin keeps recording without a gap.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { until } from '../helpers/plexus';
import { cleanupTempDirs } from '../helpers/tmp';
import { CommandBoard, MemorySink, pluginFolder, plugins, scriptPlugin, stopManagers } from './helpers';

afterEach(async () => {
  await stopManagers();
  cleanupTempDirs();
});

const view = (p: ReturnType<typeof plugins>, name: string) => p.views().find((v) => v.name === name)!;

/** A steady plugin: a counter at 100 Hz, to prove other plugins' crashes never leave a gap. */
const COUNTER = `let n = 0;
    const t = setInterval(() => ctx.send('n', n++), 10);
    return () => clearInterval(t);`;

describe('script plugins', () => {
  it('ctx: send, sendBatch, event, describe, status, log, config, now — names prefixed, units kept', async () => {
    const hourAhead = (): number => Date.now() + 3_600_000; // the recorder's clock may differ from this machine's
    const sink = new MemorySink(hourAhead);
    const board = new CommandBoard();
    const p = plugins(sink, board);
    const folder = scriptPlugin(
      'probe',
      `ctx.describe('volts', { unit: 'V', label: 'Output', min: 0, max: 30 });
    ctx.send('volts', ctx.config.level, { tags: { ch: '1' } });
    ctx.sendBatch([{ metric: 'a', value: 1 }, { metric: 'b', value: 'on' }], { timestamp: 1_767_225_600_000 });
    ctx.sendBatch({ c: 3, d: true });
    ctx.event('valve', 7);
    ctx.event('done');
    ctx.send('clock_skew_ms', ctx.now() - Date.now());
    ctx.status('all good: ' + ctx.config.mode);
    ctx.log.warn('careful');
    console.log('printed');`,
      {
        config: `{ type: 'object', properties: { level: { type: 'number', default: 1, minimum: 0 }, mode: { type: 'string', enum: ['a', 'b'], default: 'a' } } }`,
      },
    );
    const id = p.add(folder, 'psu', { level: 12.5, mode: 'b' });
    await until(() => sink.of('psu.done').length === 1, 15_000, 'the last point');
    expect(sink.of('psu.volts')[0]).toMatchObject({ value: 12.5, tags: { ch: '1' }, event: false });
    expect(sink.of('psu.a')[0]).toMatchObject({ value: 1, timestamp: 1_767_225_600_000 });
    expect(sink.of('psu.b')[0]).toMatchObject({ value: 'on', event: true, timestamp: 1_767_225_600_000 });
    expect(sink.of('psu.c')[0]!.value).toBe(3);
    expect(sink.of('psu.d')[0]).toMatchObject({ value: true, event: true });
    expect(sink.of('psu.valve')[0]).toMatchObject({ value: 7, event: true }); // a number, still an event
    expect(sink.of('psu.done')[0]!.value).toBe(true);
    // now() is the recorder's clock (an hour ahead here), not the machine's.
    // (Within the time it took to hand the recorder's time to the plugin at its start — generous
    // for a loaded machine — and nowhere near the hour the machine's clock is off.)
    expect(Math.abs((sink.of('psu.clock_skew_ms')[0]!.value as number) - 3_600_000)).toBeLessThan(2_000);
    expect(Math.abs(sink.of('psu.volts')[0]!.timestamp - hourAhead())).toBeLessThan(10_000);
    expect(p.metricInfo()['psu.volts']).toEqual({ unit: 'V', label: 'Output', min: 0, max: 30 });
    await until(() => view(p, 'psu').log.some((l) => l.message === 'printed'), 5000, 'console output in the log');
    const v = view(p, 'psu');
    expect(v).toMatchObject({ id, state: 'running', statusText: 'all good: b', rejected: 0 });
    expect(v.config).toMatchObject({ level: 12.5, mode: 'b' });
    expect(v.log.find((l) => l.message === 'careful')?.level).toBe('warn');
    expect(v.configSchema?.properties.level).toMatchObject({ type: 'number' });
  });

  it('a point that breaks a rule is reported with the rule, and the plugin keeps recording', async () => {
    const sink = new MemorySink();
    const p = plugins(sink, new CommandBoard());
    p.add(
      scriptPlugin(
        'bad',
        `ctx.send('nan', NaN);
    ctx.send('x'.repeat(300), 1);
    ctx.send('long_text', 'y'.repeat(300));
    ctx.send('fn', (() => 1) as never);
    ctx.sendBatch([{ metric: 'ok1', value: 1 }, { metric: 'inf', value: Infinity }, { metric: 'ok2', value: 2 }]);
    ctx.send('tags', 1, { tags: { n: 5 as never } });
    let i = 0;
    const t = setInterval(() => ctx.send('alive', i++), 20);
    return () => clearInterval(t);`,
      ),
    );
    await until(() => sink.of('bad.alive').length > 5, 15_000, 'the plugin still recording');
    expect(sink.of('bad.ok1')).toHaveLength(1);
    expect(sink.of('bad.ok2')).toHaveLength(1);
    expect(sink.points.some((p) => p.metric.includes('nan') || p.metric.includes('inf'))).toBe(false);
    const v = view(p, 'bad');
    expect(v.state).toBe('running');
    expect(v.rejected).toBe(6);
    const log = v.log.map((l) => l.message).join('\n');
    for (const rule of ['value.finite', 'metric.length', 'value.string_length', 'value.type', 'tags.value_type'])
      expect(log).toContain(`rule ${rule}`);
  });

  it('metric names are used as given when the plugin says prefixMetrics: false', async () => {
    const sink = new MemorySink();
    const p = plugins(sink, new CommandBoard());
    const folder = pluginFolder(
      { id: 'raw', name: 'Raw', version: '1.0.0', kind: 'script', entry: 'index.js' },
      {
        'index.js': `module.exports = { id: 'raw', name: 'Raw', version: '1', prefixMetrics: false,
          setup(ctx) { ctx.send('lab.temp', 21.5); } };`,
      },
    );
    p.add(folder, 'anything');
    await until(() => sink.of('lab.temp').length === 1, 15_000, 'an unprefixed point');
  });

  it('a plugin never sees the API key or other secrets of the recorder', async () => {
    process.env.PLEXUS_API_KEY = 'plx_secret_key_1234';
    try {
      const sink = new MemorySink();
      const p = plugins(sink, new CommandBoard());
      p.add(
        scriptPlugin(
          'snoop',
          `ctx.send('env', JSON.stringify(Object.keys(process.env).filter((k) => k.startsWith('PLEXUS'))));
    ctx.send('key', String(process.env.PLEXUS_API_KEY));`,
        ),
      );
      await until(() => sink.of('snoop.key').length === 1, 15_000, 'the probe');
      expect(sink.of('snoop.key')[0]!.value).toBe('undefined');
      expect(JSON.parse(sink.of('snoop.env')[0]!.value as string)).toEqual(
        expect.arrayContaining(['PLEXUS_PLUGIN_NAME', 'PLEXUS_BENCH_DATA_DIR']),
      );
      expect(sink.of('snoop.env')[0]!.value).not.toContain('PLEXUS_API_KEY');
    } finally {
      delete process.env.PLEXUS_API_KEY;
    }
  });

  it('a config that fails the schema is refused with the field named, and setup never runs', async () => {
    const sink = new MemorySink();
    const p = plugins(sink, new CommandBoard());
    const config = `{ type: 'object', properties: { rate: { type: 'number', minimum: 1, maximum: 100, default: 10 }, host: { type: 'string' } }, required: ['host'] }`;
    const id = p.add(scriptPlugin('cfg', `ctx.send('ran', 1);`, { config }), undefined, { rate: 500, host: 'psu' });
    await until(() => view(p, 'cfg').state === 'invalid', 15_000, 'invalid');
    expect(view(p, 'cfg').message).toMatch(/rate must be at most 100/);
    expect(view(p, 'cfg').configProblems).toEqual({ rate: 'must be at most 100' });
    // Fixed by the technician: it runs. A missing required field is refused before any restart.
    await p.configure(id, undefined, { rate: 50, host: 'psu' });
    await until(() => sink.of('cfg.ran').length === 1, 15_000, 'setup ran');
    await expect(p.configure(id, undefined, { rate: 50 })).rejects.toThrow(/host is required/);
    await expect(p.configure(id, undefined, { rate: 50, host: 'psu', extra: 1 })).rejects.toThrow(
      /extra is not a setting/,
    );
    expect(sink.of('cfg.ran')).toHaveLength(1);
    await p.configure(id, undefined, { rate: 5, host: 'psu2' });
    await until(() => sink.of('cfg.ran').length === 2, 15_000, 'restarted with the new config');
  });

  it('code that does not compile, or exports no plugin, is reported with where, and not restarted', async () => {
    const sink = new MemorySink();
    const p = plugins(sink, new CommandBoard());
    const broken = pluginFolder(
      { id: 'broken', name: 'Broken', version: '1.0.0', kind: 'script', entry: 'index.ts' },
      { 'index.ts': 'export default {\n  id: "x",\n  setup(ctx) { ctx.send("a", 1) \n' },
    );
    p.add(broken);
    const empty = pluginFolder(
      { id: 'empty', name: 'Empty', version: '1.0.0', kind: 'script', entry: 'index.js' },
      { 'index.js': 'module.exports = { hello: 1 };' },
    );
    p.add(empty);
    await until(() => view(p, 'broken').state === 'failed' && view(p, 'empty').state === 'failed', 15_000, 'failed');
    expect(view(p, 'broken').message).toMatch(/does not compile: .*index\.ts:\d+:\d+/);
    expect(view(p, 'empty').message).toMatch(
      /not a plugin definition: "id" must be non-empty text; .*"setup" must be a function/,
    );
    expect(view(p, 'broken').restarts).toBe(0);
  });

  const crashes: Array<[string, string, RegExp]> = [
    [
      'throws in setup',
      `throw new Error('no instrument at 192.168.1.40');`,
      /setup failed: no instrument at 192\.168\.1\.40/,
    ],
    [
      'throws later',
      `setTimeout(() => { throw new TypeError('reading went wrong'); }, 50);`,
      /threw: TypeError: reading went wrong \(at index\.ts:\d+:\d+\)/,
    ],
    [
      'rejects later',
      `setTimeout(() => { void Promise.reject(new Error('lost the socket')); }, 50);`,
      /threw: .*lost the socket/,
    ],
    ['calls process.exit', `setTimeout(() => process.exit(3), 50);`, /ended itself with process\.exit\(3\)/],
    ['loops forever', `setTimeout(() => { for (;;) {} }, 50);`, /stopped answering for \d+ s \(an endless loop\?\)/],
    [
      'allocates until its limit',
      `const keep: number[][] = []; setInterval(() => { for (let i = 0; i < 200; i++) keep.push(new Array(10_000).fill(i)); }, 1);`,
      /ran out of memory \(its limit is 64 MB\)/,
    ],
  ];

  for (const [what, body, reason] of crashes) {
    it(`a plugin that ${what} is stopped, reported and restarted, while another records without a gap`, async () => {
      const sink = new MemorySink();
      const p = plugins(sink, new CommandBoard());
      p.add(scriptPlugin('steady', COUNTER));
      await until(() => sink.of('steady.n').length > 10, 15_000, 'the steady plugin');
      p.add(scriptPlugin('crashy', `ctx.send('started', 1);\n${body}`, { manifest: { memoryMb: 64 } }));
      await until(
        () => view(p, 'crashy').restarts >= 1 && sink.of('crashy.started').length >= 2,
        30_000,
        'a crash and a restart',
      );
      expect(view(p, 'crashy').lastError).toMatch(reason);
      expect(view(p, 'crashy').log.some((l) => l.level === 'error' && reason.test(l.message))).toBe(true);
      const before = sink.of('steady.n').length;
      await until(() => sink.of('steady.n').length > before + 20, 10_000, 'the steady plugin still recording');
      // Every counter value, in order, none missing: the crashes never touched it.
      const ns = sink.of('steady.n').map((x) => x.value as number);
      expect(ns).toEqual(ns.map((_, i) => i));
      expect(view(p, 'steady')).toMatchObject({ state: 'running', restarts: 0 });
    });
  }

  it('restarts with a growing backoff, then gives up after repeated crashes and says why', async () => {
    const sink = new MemorySink();
    const p = plugins(sink, new CommandBoard());
    const id = p.add(scriptPlugin('doomed', `ctx.send('try', 1); throw new Error('always');`));
    await until(() => view(p, 'doomed').state === 'failed', 30_000, 'given up');
    const v = view(p, 'doomed');
    expect(v.message).toMatch(
      /stopped after 4 crashes in a row; last: setup failed: always \(at index\.ts:7:\d+\) — fix it, then press Restart/,
    );
    expect(sink.of('doomed.try')).toHaveLength(4);
    const tries = sink.of('doomed.try').map((x) => x.timestamp);
    const gaps = tries.slice(1).map((t, i) => t - tries[i]!);
    // Waits of 100, 200 and 400 ms (±10 %), each followed by a start-up (~70 ms here, longer on a
    // loaded machine, which can only lengthen a gap): each gap is at least its wait. A backoff that
    // did not grow would leave the last gaps at ~100 ms + start-up.
    [100, 200, 400].forEach((wait, i) => expect(gaps[i], `gap ${i + 1}`).toBeGreaterThanOrEqual(wait * 0.9 - 2));
    // Restart by hand: it tries again.
    await p.restart(id);
    await until(() => sink.of('doomed.try').length >= 5, 15_000, 'a manual restart');
  });

  it('commands reach onCommand and results (or errors) come back; stop aborts the signal and runs cleanup', async () => {
    const sink = new MemorySink();
    const board = new CommandBoard();
    const p = plugins(sink, board);
    const id = p.add(
      scriptPlugin(
        'psu',
        `let volts = 0;
    ctx.onCommand('set_voltage', async (params) => {
      if (typeof params.volts !== 'number') throw new Error('volts must be a number');
      volts = params.volts;
      ctx.send('volts', volts);
      return { ok: true, volts };
    }, { description: 'set the output voltage', params: [{ name: 'volts', type: 'float' }] });
    ctx.signal.addEventListener('abort', () => ctx.send('aborted', 1));
    return () => { ctx.send('cleaned', 1); };`,
      ),
    );
    await until(() => board.handlers.has('psu.set_voltage'), 15_000, 'the command registered');
    expect(board.handlers.get('psu.set_voltage')!.opts).toMatchObject({ description: 'set the output voltage' });
    await expect(board.call('psu.set_voltage', { volts: 5 })).resolves.toEqual({ ok: true, volts: 5 });
    await expect(board.call('psu.set_voltage', { volts: 'x' })).rejects.toThrow('volts must be a number');
    await until(() => sink.of('psu.volts').length === 1, 5000, 'the command’s point');
    await p.setEnabled(id, false);
    expect(sink.of('psu.aborted')).toHaveLength(1);
    expect(sink.of('psu.cleaned')).toHaveLength(1);
    expect(board.handlers.has('psu.set_voltage')).toBe(false);
    expect(view(p, 'psu').state).toBe('stopped');
  });

  it('a plugin folder changed after it was allowed does not run until it is allowed again', async () => {
    const sink = new MemorySink();
    const saved = plugins(sink, new CommandBoard());
    const folder = scriptPlugin('trusty', `ctx.send('ran', 1);`);
    saved.add(folder);
    await until(() => sink.of('trusty.ran').length === 1, 15_000, 'first run');
    const settings = saved.saved();
    await saved.stopAll();
    const manifest = join(folder, 'plugin.json');
    writeFileSync(
      manifest,
      JSON.stringify({ id: 'trusty', name: 'Trusty', version: '2.0.0', kind: 'script', entry: 'index.ts' }),
    );
    const again = plugins(sink, new CommandBoard());
    again.restore(settings);
    await until(() => view(again, 'trusty').state === 'untrusted', 5000, 'untrusted');
    expect(view(again, 'trusty').message).toMatch(/plugin.json changed since it was allowed/);
    expect(sink.of('trusty.ran')).toHaveLength(1);
    await again.allow(view(again, 'trusty').id);
    await until(() => sink.of('trusty.ran').length === 2, 15_000, 'runs once allowed');
  });

  it('broken manifests are listed with a clear error and nothing runs', async () => {
    const sink = new MemorySink();
    const p = plugins(sink, new CommandBoard());
    const cases: Array<[Record<string, unknown> | string, Record<string, string>, RegExp]> = [
      ['{ "id": "x", ', {}, /plugin.json is not valid JSON/],
      [{ id: 'k', name: 'K', version: '1', kind: 'daemon' }, {}, /"kind" must be "script" or "process", got "daemon"/],
      [
        { id: 'm', name: 'M', version: '1', kind: 'script', entry: 'missing.ts' },
        {},
        /entry file missing\.ts is missing/,
      ],
      [
        { id: 'Bad Id', name: 'B', version: '1', kind: 'script', entry: 'a.ts' },
        { 'a.ts': '' },
        /"id": id must be 1–63 lowercase/,
      ],
      [
        { id: 'o', name: 'O', version: '1', kind: 'script', entry: '../../etc/passwd' },
        {},
        /"entry" must be inside the plugin's folder/,
      ],
      [{ id: 'p', name: 'P', version: '1', kind: 'process' }, {}, /"command"/],
      [
        {
          id: 's',
          name: 'S',
          version: '1',
          kind: 'process',
          command: 'x',
          configSchema: { type: 'object', properties: { r: { type: 'number', default: 'fast' } } },
        },
        {},
        /config field "r": its default "fast" must be a number/,
      ],
    ];
    for (const [manifest, files, problem] of cases) {
      const dir = pluginFolder({ id: 'placeholder' }, files);
      writeFileSync(join(dir, 'plugin.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
      const entry = p.inspect(dir);
      expect(entry.manifest, `${JSON.stringify(manifest)}`).toBeNull();
      expect(entry.problem).toMatch(problem);
      expect(() => p.add(dir)).toThrow(problem);
    }
    expect(p.views()).toEqual([]);
    expect(sink.points).toEqual([]);
  });
});
