// Live charts end to end, in real Chromium against the headless recorder (local only, the demo
// sensor moving): open from a tile by click and by Enter, overlay a second metric, pause while the
// host keeps recording, zoom by drag and reset, the hover readout, a marker as a labelled line,
// two charts side by side. Screenshots of the chart screen in both themes go to
// test-artifacts/screenshots/.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { RequestName, RunView } from '../../src/shared/contract';
import { call } from '../helpers/host';
import { SHOTS, sharedRecorder } from '../helpers/window';

const RPM = 'demo.engine_rpm';
const TEMP = 'demo.coolant_temp_c';

const rig = sharedRecorder({ shots: true });
let page: Page;

const tid = (id: string): Locator => page.getByTestId(id);
const charts = (): Locator => tid('chart');

const hostCall = (name: RequestName, payload: unknown): Promise<unknown> => call(rig.host, name, payload);

/** A fresh page on the recorder, with the demo's engine speed on screen. */
async function freshPage(): Promise<void> {
  await page?.close();
  page = await rig.browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(rig.server.url);
  await tid(`metric-value-${RPM}`).waitFor({ timeout: 20_000 });
}

/** Reads a chart's data-* attribute as a number. */
async function num(chart: Locator, attr: string): Promise<number> {
  return Number(await chart.getAttribute(attr));
}

describe('live charts', () => {
  it('a click on a tile opens a chart with a time axis and the unit; Enter opens one too', async () => {
    await freshPage();
    await tid(`metric-tile-${RPM}`).click();
    await expect.poll(() => charts().count(), { timeout: 10_000 }).toBe(1);
    const chart = charts().first();
    // Drawn from the ring: rows of data, a 60 s window, the unit on the axis and in the chip.
    await expect.poll(() => num(chart, 'data-rows'), { timeout: 15_000 }).toBeGreaterThan(5);
    expect(await num(chart, 'data-span-ms')).toBe(60_000);
    await expect.poll(() => chart.locator('.chart-chip').first().textContent()).toContain('rpm');
    expect(await chart.locator('.u-axis').count()).toBeGreaterThanOrEqual(2);
    // The plot has focus after opening, so the keyboard can go on from there.
    await expect
      .poll(() => page.evaluate<string | null>("document.activeElement?.getAttribute('data-testid') ?? null"))
      .toBe('chart-plot');

    await chart.getByTestId('chart-close').click();
    await expect.poll(() => charts().count()).toBe(0);
    await tid(`metric-tile-${TEMP}`).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => charts().count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => charts().first().locator('.chart-chip').first().textContent()).toContain(TEMP);
  }, 60_000);

  it('overlays a second metric: the legend shows both with their units, on two axes', async () => {
    await freshPage();
    await tid(`metric-tile-${RPM}`).click();
    const chart = charts().first();
    await chart.getByTestId('chart-add-input').fill(TEMP);
    await chart.getByTestId('chart-add-input').press('Enter');
    await expect.poll(() => chart.locator('.chart-chip').count(), { timeout: 10_000 }).toBe(2);
    const legend = chart.locator('.u-legend');
    await expect.poll(() => legend.textContent()).toContain(RPM);
    expect(await legend.textContent()).toContain(TEMP);
    // rpm on the left, °C on the right: the time axis and two y axes, each labelled with its unit.
    expect(await chart.locator('.u-axis').count()).toBe(3);
    expect(await chart.getByTestId('chart-axis-unit').allTextContents()).toEqual(['rpm', '°C']);
    // A name that is not a metric is refused with a reason, and nothing is added.
    await chart.getByTestId('chart-add-input').fill('no.such_metric');
    await chart.getByTestId('chart-add').click();
    await expect.poll(() => chart.getByRole('alert').textContent()).toContain('no metric is named');
    expect(await chart.locator('.chart-chip').count()).toBe(2);
  }, 60_000);

  it('pause freezes the drawn data while the host keeps recording; resume follows again', async () => {
    await freshPage();
    const run = (await hostCall('run.start', { name: 'charts-pause-001' })) as RunView;
    try {
      await tid(`metric-tile-${RPM}`).click();
      const chart = charts().first();
      await expect.poll(() => num(chart, 'data-rows'), { timeout: 15_000 }).toBeGreaterThan(5);
      await chart.getByTestId('chart-pause').click();
      await expect.poll(() => chart.getAttribute('data-paused')).toBe('true');
      const frozen = await num(chart, 'data-last-t');
      const pointsAtPause = rig.host.state().run?.points ?? 0;
      // The host goes on recording (points in the run grow by a clear margin)…
      await expect
        .poll(() => rig.host.state().run?.points ?? 0, { timeout: 15_000 })
        .toBeGreaterThan(pointsAtPause + 50);
      // …and the newest time drawn has not moved.
      expect(await num(chart, 'data-last-t')).toBe(frozen);
      expect(await chart.getByRole('status').textContent()).toContain('still recording');
      await chart.getByTestId('chart-pause').click();
      await expect.poll(() => num(chart, 'data-last-t'), { timeout: 10_000 }).toBeGreaterThan(frozen);
    } finally {
      expect(((await hostCall('run.stop', {})) as RunView).id).toBe(run.id);
    }
  }, 60_000);

  it('zooms by dragging across the plot, and Reset zoom returns to the whole minute', async () => {
    await freshPage();
    await tid(`metric-tile-${RPM}`).click();
    const chart = charts().first();
    await expect.poll(() => num(chart, 'data-rows'), { timeout: 15_000 }).toBeGreaterThan(5);
    const reset = chart.getByTestId('chart-reset');
    expect(await reset.isDisabled()).toBe(true);
    const over = chart.locator('.u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    // A fifth of the plot's width is about 12 s of the 60 s shown.
    await expect.poll(() => num(chart, 'data-span-ms'), { timeout: 10_000 }).toBeLessThan(20_000);
    expect(await num(chart, 'data-span-ms')).toBeGreaterThan(5_000);
    expect(await reset.isDisabled()).toBe(false);
    // Keys pan the zoomed range: back in time, the span stays.
    const spanBefore = await num(chart, 'data-span-ms');
    await chart.getByTestId('chart-plot').focus();
    await page.keyboard.press('ArrowLeft');
    expect(Math.abs((await num(chart, 'data-span-ms')) - spanBefore)).toBeLessThan(2);
    await reset.click();
    await expect.poll(() => num(chart, 'data-span-ms'), { timeout: 10_000 }).toBe(60_000);
    expect(await reset.isDisabled()).toBe(true);
  }, 60_000);

  it('hovering reads every series at one time, with decimals and units', async () => {
    await freshPage();
    await tid(`metric-tile-${RPM}`).click();
    const chart = charts().first();
    await chart.getByTestId('chart-add-input').fill(TEMP);
    await chart.getByTestId('chart-add-input').press('Enter');
    await expect.poll(() => num(chart, 'data-rows'), { timeout: 15_000 }).toBeGreaterThan(20);
    await chart.getByTestId('chart-pause').click(); // a still picture to hover over
    const box = (await chart.locator('.u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.95, box.y + box.height / 2);
    const values = chart.locator('.u-legend .u-series .u-value');
    await expect
      .poll(async () => (await values.allTextContents()).join(' | '), { timeout: 10_000 })
      .toMatch(/^\d\d:\d\d:\d\d\.\d{3} \| [\d,]+ rpm \| \d+\.\d+ °C$/);
  }, 60_000);

  it('a marker appears on the chart as a labelled line', async () => {
    await freshPage();
    await tid(`metric-tile-${RPM}`).click();
    const chart = charts().first();
    await expect.poll(() => num(chart, 'data-rows'), { timeout: 15_000 }).toBeGreaterThan(5);
    await hostCall('marker.add', { note: 'valve opened' });
    const marker = chart.getByTestId('chart-marker');
    await expect.poll(() => marker.allTextContents(), { timeout: 10_000 }).toContain('⚑ valve opened');
    // Where it is: inside the plot, in its right half (the marker is seconds old), readable whole.
    const m = (await marker.first().boundingBox())!;
    const over = (await chart.locator('.u-over').boundingBox())!;
    expect(m.x + m.width).toBeGreaterThan(over.x + over.width * 0.5);
    expect(m.x).toBeGreaterThanOrEqual(over.x);
    expect(m.x + m.width).toBeLessThanOrEqual(over.x + over.width);
  }, 60_000);

  it(
    'two charts open side by side; each closes on its own; screenshots in light and dark',
    { timeout: 90_000 },
    async () => {
      await freshPage();
      await tid(`metric-tile-${RPM}`).click();
      await charts().first().getByTestId('chart-add-input').fill('demo.supply_v');
      await charts().first().getByTestId('chart-add-input').press('Enter');
      await tid(`metric-tile-${TEMP}`).click();
      await expect.poll(() => charts().count(), { timeout: 10_000 }).toBe(2);
      const [a, b] = [(await charts().nth(0).boundingBox())!, (await charts().nth(1).boundingBox())!];
      expect(Math.abs(a.y - b.y)).toBeLessThan(2); // one row
      expect(b.x).toBeGreaterThanOrEqual(a.x + a.width - 1); // b to the right of a
      await hostCall('marker.add', { note: 'screenshot' });
      await expect.poll(() => charts().nth(1).getByTestId('chart-marker').count(), { timeout: 10_000 }).toBe(1);
      // Some 20 s of data, so the picture shows lines rather than a sliver.
      await expect.poll(() => num(charts().nth(1), 'data-rows'), { timeout: 40_000 }).toBeGreaterThan(200);
      await page.screenshot({ path: join(SHOTS, 'charts-light.png') });
      await page.emulateMedia({ colorScheme: 'dark' });
      // The charts rebuild in the dark theme's colours.
      await expect
        .poll(() =>
          page.evaluate<string>("getComputedStyle(document.documentElement).getPropertyValue('--chart-1').trim()"),
        )
        .toBe('#6f9cff');
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(SHOTS, 'charts-dark.png') });
      await page.emulateMedia({ colorScheme: 'light' });
      await charts().nth(0).getByTestId('chart-close').click();
      await expect.poll(() => charts().count()).toBe(1);
      await expect.poll(() => charts().first().locator('.chart-chip').first().textContent()).toContain(TEMP);
    },
  );
});
