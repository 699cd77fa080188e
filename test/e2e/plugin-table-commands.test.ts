// A plugin with a register table and commands, in the technician's window, end to end in real
// Chromium against the headless recorder: the table is edited cell by cell (a bad cell shows its
// problem under it), a register map is imported from CSV (a bad CSV names its line and changes
// nothing) and exported, and saving restarts the plugin with the rows; its password field is
// masked. Its commands are sent from its card: a one-text command is a command line (Enter sends)
// and shows the plugin's answer; a refused value shows the plugin's error. Screenshots go to
// test-artifacts/screenshots/.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { pageReader } from '../helpers/page';
import { pluginFolder } from '../plugins/helpers';
import { REGISTER_COLUMNS, REGISTERS_TABLE } from '../fixtures/register-table';
import { sharedRecorder } from '../helpers/window';

const POLL = { timeout: 20_000 };

const PLUGIN_JSON = { id: 'e2e-regs', name: 'E2E registers', version: '1.0.0', kind: 'script', entry: 'index.ts' };
// The shared register table, with an on/off column and a smaller cap.
const CONFIG = {
  type: 'object',
  properties: {
    password: { type: 'string', title: 'Password', format: 'password', default: '' },
    registers: {
      ...REGISTERS_TABLE,
      description: 'One row per holding register',
      items: {
        ...REGISTERS_TABLE.items,
        properties: { ...REGISTER_COLUMNS, enabled: { type: 'boolean', default: true } },
      },
      maxItems: 50,
    },
  },
};
const PLUGIN_TS = `import { definePlugin } from 'plexus-bench/plugin';

export default definePlugin({
  id: 'e2e-regs',
  name: 'E2E registers',
  version: '1.0.0',
  config: ${JSON.stringify(CONFIG)},
  setup(ctx) {
    const on = ctx.config.registers.filter((r) => r.enabled);
    ctx.status(on.map((r) => r.metric + '@' + r.address).join(' '));
    const sum = on.reduce((s, r) => s + r.address, 0);
    let level = 0;
    ctx.onCommand('send', (p) => ({ reply: 'echo ' + String(p.line) }), {
      description: 'send a line to the instrument',
      params: [{ name: 'line', type: 'string' }],
    });
    ctx.onCommand('set_level', (p) => {
      if (typeof p.level !== 'number' || p.level > 100) throw new Error('level must be at most 100');
      level = p.level;
      return { level };
    }, { description: 'set the output level', params: [{ name: 'level', type: 'float' }], requiresApproval: true });
    const timer = setInterval(() => ctx.sendBatch({ sum, level }), 100);
    return () => clearInterval(timer);
  },
});
`;

const rig = sharedRecorder({ shots: true });
let page: Page;
let pluginDir: string;

const { tid, shot, num } = pageReader(() => page);
const instance = () => rig.host.state().plugins.find((p) => p.name === 'e2e-regs');

beforeAll(async () => {
  pluginDir = pluginFolder(PLUGIN_JSON, { 'index.ts': PLUGIN_TS });
  const context = await rig.browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(rig.server.url);
}, 60_000);

describe('a plugin with a register table and commands, in the window', () => {
  it('adds it, edits a cell, imports a register map from CSV, exports it, and saves: the plugin runs with the rows', async () => {
    await tid('plugin-add-open').click();
    await tid('plugin-folder-input').fill(pluginDir);
    await tid('plugin-review').click();
    await expect.poll(() => tid('plugin-review-name').textContent(), POLL).toBe('E2E registers');
    await tid('plugin-allow').click();
    await tid('plugin-add-dialog').waitFor({ state: 'hidden' });
    await expect.poll(() => tid('plugin-e2e-regs').getAttribute('data-state'), POLL).toBe('running');
    await expect.poll(() => tid('plugin-status-e2e-regs').textContent(), POLL).toBe('volts@0');

    await tid('plugin-settings-e2e-regs').click();
    // The password is masked.
    expect(await tid('plugin-config-password').getAttribute('type')).toBe('password');
    // The default row, with each column's input: a number box, a list, a text box, a checkbox.
    const cell = (row: number, col: string) => tid(`plugin-config-registers-${row}-${col}`);
    await expect.poll(() => cell(1, 'address').inputValue(), POLL).toBe('0');
    expect(await cell(1, 'metric').inputValue()).toBe('volts');
    expect(await cell(1, 'unit').getAttribute('placeholder')).toBe('1');
    expect(await cell(1, 'type').evaluate((e) => e.tagName)).toBe('SELECT');
    expect(await cell(1, 'enabled').isChecked()).toBe(true);

    // A bad cell shows its problem under it, in the host's words, and Save is refused.
    await cell(1, 'address').fill('70000');
    await expect
      .poll(() => tid('plugin-config-registers-1-address-problem').textContent())
      .toBe('must be at most 65535');
    await expect
      .poll(() => tid('plugin-config-registers-problem').textContent())
      .toBe('row 1: Address must be at most 65535');
    await cell(1, 'address').fill('100');
    await expect.poll(() => tid('plugin-config-registers-1-address-problem').count()).toBe(0);

    // Add a row, leave its required cells empty: both are named.
    await tid('plugin-config-registers-add').click();
    await expect.poll(() => tid('plugin-config-registers-2-metric-problem').textContent()).toBe('is required');
    await tid('plugin-config-registers-2-remove').click();
    await expect.poll(() => tid('plugin-config-registers-2-metric').count()).toBe(0);

    // Import: a bad CSV names its line and changes nothing.
    await tid('plugin-config-registers-import').click();
    await tid('plugin-config-registers-csv').fill('address,gain\n1,2\n');
    await tid('plugin-config-registers-csv-replace').click();
    await expect
      .poll(() => tid('plugin-config-registers-csv-error').textContent())
      .toMatch(/^line 1: "gain" is not a column of this table/);
    expect(await cell(1, 'address').inputValue()).toBe('100');
    // A register map as a manual's table gives it: semicolons, titles as the header, a quoted cell.
    await tid('plugin-config-registers-csv').fill(
      'Address;Metric;Type;Enabled\n40010;volts;s16;yes\n40011;"amps; total";u16;yes\n40012;temp;u16;no\n',
    );
    await shot('17-plugin-table-import');
    await tid('plugin-config-registers-csv-replace').click();
    await expect.poll(() => tid('plugin-config-registers-count').textContent()).toMatch(/^3 rows/);
    expect(await cell(2, 'metric').inputValue()).toBe('amps; total');
    expect(await cell(1, 'type').inputValue()).toBe('s16');
    expect(await cell(3, 'enabled').isChecked()).toBe(false);
    expect(await tid('plugin-config-registers-csv').count()).toBe(0); // the import panel closed

    // Export: a header of column keys and a line per row, ready to paste back.
    await tid('plugin-config-registers-export').click();
    const csv = await tid('plugin-config-registers-csv-out').inputValue();
    expect(csv.split(/\r?\n/).slice(0, 3)).toEqual([
      'unit,address,type,metric,enabled',
      ',40010,s16,volts,true',
      ',40011,u16,"amps; total",true', // quoted: a semicolon would split it for some spreadsheets
    ]);
    await shot('18-plugin-table');

    await tid('plugin-config-save').click();
    await tid('plugin-config-dialog').waitFor({ state: 'hidden', timeout: 20_000 });
    expect(instance()?.config.registers).toEqual([
      { address: 40010, type: 's16', metric: 'volts', enabled: true },
      { address: 40011, type: 'u16', metric: 'amps; total', enabled: true },
      { address: 40012, type: 'u16', metric: 'temp', enabled: false },
    ]);
    // The plugin restarted with the rows (the disabled one left out of its sum).
    await expect.poll(() => tid('plugin-status-e2e-regs').textContent(), POLL).toBe('volts@40010 amps; total@40011');
    await expect.poll(() => num('metric-value-e2e-regs.sum'), POLL).toBe(80021);
  });

  it('sends its commands from its card: a command line answered by the plugin, and a refused value shown as its error', async () => {
    await expect.poll(() => tid('plugin-e2e-regs').getAttribute('data-state'), POLL).toBe('running');
    await tid('plugin-commands-e2e-regs').locator('summary').click();
    const t = 'plugin-command-e2e-regs';
    // "send" takes one text value: a command line, where Enter sends.
    await tid(`${t}-line`).fill('VOLT 12.0');
    await tid(`${t}-line`).press('Enter');
    await expect.poll(() => tid(`${t}-result`).textContent(), POLL).toBe('VOLT 12.0 → {"reply":"echo VOLT 12.0"}');
    expect(await tid(`${t}-line`).inputValue()).toBe(''); // ready for the next line
    await shot('19-plugin-command-line');

    // set_level asks the platform's calls for approval, not the technician's own.
    await tid(`${t}-choose`).selectOption('e2e-regs.set_level');
    const level = tid(`${t}-param-level`);
    await level.fill('high');
    await expect.poll(() => tid(`${t}-param-level-problem`).textContent()).toBe('level must be a number');
    expect(await tid(`${t}-send`).isDisabled()).toBe(true);
    await level.fill('500');
    await tid(`${t}-send`).click();
    await expect
      .poll(() => tid(`${t}-error`).textContent(), POLL)
      .toBe('Could not run the plugin’s command: e2e-regs.set_level: level must be at most 100');
    await level.fill('42');
    await tid(`${t}-send`).click();
    await expect.poll(() => tid(`${t}-result`).textContent(), POLL).toMatch(/→ \{"level":42\}$/);
    expect(await tid(`${t}-error`).count()).toBe(0);
    await expect.poll(() => num('metric-value-e2e-regs.level'), POLL).toBe(42);
    expect(rig.host.state().inbox).toEqual([]); // nothing asked for approval
  });
});
