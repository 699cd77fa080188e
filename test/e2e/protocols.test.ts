// The shipped protocol plugins (MQTT, Modbus, SCPI) in the technician's window, end to end in real Chromium against the
// headless recorder and real peers on loopback: each is picked from the catalog, set up in its
// form (the broker's or instrument's address, its table), and its live values appear with their
// units. SCPI's command line changes the supply's voltage and the run records the line. Screenshots
// of each form and its live values go to test-artifacts/screenshots/ (the README shows them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { RunDetail } from '../../src/shared/contract';
import { Mosquitto, closePublishers, publisher, stopBrokers } from '../protocols/mosquitto';
import { startModbusServer, stopModbusServers, type ModbusServer } from '../protocols/modbus-server';
import { startScpiSim, type ScpiSim } from '../protocols/scpi-sim';
import { pageReader } from '../helpers/page';
import { sharedRecorder } from '../helpers/window';

const POLL = { timeout: 30_000 };

const rig = sharedRecorder({ shots: true });
let page: Page;
let broker: Mosquitto;
let supply: ScpiSim;
let meter: ModbusServer;

const { tid, shot, num } = pageReader(() => page);

beforeAll(async () => {
  broker = await Mosquitto.start();
  supply = await startScpiSim();
  meter = await startModbusServer({ quiet: true });
  const context = await rig.browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(rig.server.url);
}, 60_000);

afterAll(async () => {
  await closePublishers();
  await stopBrokers();
  await supply.close();
  await stopModbusServers();
});

/** Picks a shipped plugin from the catalog and adds it under its own name; it starts at once. */
async function addShipped(id: string): Promise<void> {
  await tid('plugin-add-open').click();
  await page.locator(`[data-testid="plugin-catalog-item"][data-folder="builtin:${id}"]`).click();
  await expect.poll(() => tid('plugin-name-input').inputValue(), POLL).toBe(id);
  await tid('plugin-allow').click();
  await tid('plugin-add-dialog').waitFor({ state: 'hidden' });
  await expect.poll(() => tid(`plugin-${id}`).count(), POLL).toBe(1);
}

describe('protocol plugins in the window', () => {
  it('MQTT: set to the broker, a topic rule with its unit, live values from published messages', async () => {
    await addShipped('mqtt');
    await tid('plugin-settings-mqtt').click();
    await tid('plugin-config-port').fill(String(broker.port));
    const cell = (row: number, col: string) => tid(`plugin-config-rules-${row}-${col}`);
    await cell(1, 'filter').fill('lab/+/temp');
    await cell(1, 'metric').fill('{1}.temp');
    await cell(1, 'unit').fill('°C');
    await shot('20-mqtt-form');
    await tid('plugin-config-save').click();
    await tid('plugin-config-dialog').waitFor({ state: 'hidden', timeout: 20_000 });

    await expect.poll(() => tid('plugin-status-mqtt').textContent(), POLL).toMatch(/connected to 127\.0\.0\.1/);
    const pub = await publisher(broker.port);
    // Published until the plugin has it: its subscription may land just after its status says so.
    await expect
      .poll(async () => {
        await pub.publishAsync('lab/rig1/temp', '21.5');
        return num('metric-value-mqtt.rig1.temp');
      }, POLL)
      .toBe(21.5);
    await expect.poll(() => tid('metric-unit-mqtt.rig1.temp').textContent(), POLL).toBe('°C');
    await shot('21-mqtt-live');
  });

  it('Modbus TCP: set to the device, a register map imported from CSV, live values with units', async () => {
    await addShipped('modbus');
    await tid('plugin-settings-modbus').click();
    await tid('plugin-config-host').fill('127.0.0.1');
    await tid('plugin-config-port').fill(String(meter.port));
    // A map as a manual's table gives it, pasted into the table's import.
    await tid('plugin-config-registers-import').click();
    await tid('plugin-config-registers-csv').fill(
      'Metric;Function;Address;Type;Scale;Unit\nsupply_v;holding;22;u16;0.1;V\nsetpoint;holding;150;u16;1;rpm\n',
    );
    await tid('plugin-config-registers-csv-replace').click();
    await expect.poll(() => tid('plugin-config-registers-count').textContent(), POLL).toMatch(/^2 rows/);
    await shot('24-modbus-form');
    await tid('plugin-config-save').click();
    await tid('plugin-config-dialog').waitFor({ state: 'hidden', timeout: 20_000 });

    // What the test server holds: 2345 at 22 (× 0.1 = 234.5 V), and register 150 its own address.
    await expect.poll(() => num('metric-value-modbus.supply_v'), POLL).toBe(234.5);
    await expect.poll(() => num('metric-value-modbus.setpoint'), POLL).toBe(150);
    await expect.poll(() => tid('metric-unit-modbus.supply_v').textContent(), POLL).toBe('V');
    await shot('25-modbus-live');
  });

  it('SCPI: set to the supply, its identity shown, polled values with units, and a setting sent from the command line', async () => {
    await addShipped('scpi');
    await tid('plugin-settings-scpi').click();
    await tid('plugin-config-host').fill('127.0.0.1');
    await tid('plugin-config-port').fill(String(supply.port));
    await expect.poll(() => tid('plugin-config-queries-1-query').inputValue(), POLL).toBe('MEAS:VOLT?');
    await shot('22-scpi-form');
    await tid('plugin-config-save').click();
    await tid('plugin-config-dialog').waitFor({ state: 'hidden', timeout: 20_000 });

    await expect.poll(() => tid('plugin-status-scpi').textContent(), POLL).toMatch(/BENCH PSU 30V-5A/);
    await expect.poll(() => tid('metric-unit-scpi.volts').textContent(), POLL).toBe('V');
    await expect.poll(() => tid('metric-unit-scpi.amps').textContent(), POLL).toBe('A');

    // A setting typed on the command line, in a run: the supply takes it, the next poll reads it
    // back, and the run records the line.
    const run = await rig.host.handle('run.start', { name: 'psu-settings' });
    if (!run.ok) throw new Error(run.error.message);
    await tid('plugin-commands-scpi').locator('summary').click();
    const t = 'plugin-command-scpi';
    if ((await tid(`${t}-choose`).count()) > 0) await tid(`${t}-choose`).selectOption('scpi.send');
    await tid(`${t}-line`).fill('VOLT 5.0');
    await tid(`${t}-line`).press('Enter');
    await expect.poll(() => tid(`${t}-result`).textContent(), POLL).toMatch(/^VOLT 5\.0 → /);
    await tid(`${t}-line`).fill('OUTP ON');
    await tid(`${t}-line`).press('Enter');
    // 5 V across the simulated 10 Ω load: 0.5 A, below the 1 A limit.
    await expect.poll(() => num('metric-value-scpi.volts'), POLL).toBe(5);
    await expect.poll(() => num('metric-value-scpi.amps'), POLL).toBe(0.5);
    expect(supply.received).toEqual(expect.arrayContaining(['VOLT 5.0', 'OUTP ON']));
    const stopped = await rig.host.handle('run.stop', {});
    if (!stopped.ok) throw new Error(stopped.error.message);
    const detail = await rig.host.handle('run.open', { runId: (run.value as { id: string }).id });
    if (!detail.ok) throw new Error(detail.error.message);
    const lines = (detail.value as RunDetail).moments.filter((m) => m.name === 'scpi.command').map((m) => m.text);
    expect(lines.some((l) => l.includes('VOLT 5.0'))).toBe(true);
    expect(lines.some((l) => l.includes('OUTP ON'))).toBe(true);
    await shot('23-scpi-live');
  });
});
