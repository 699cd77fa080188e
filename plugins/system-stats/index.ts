// The recording computer's own health, next to the rig's data: CPU load, memory in use, free
// space where the recordings go and, where the OS exposes them, temperatures. A slow test run
// or a full disk shows up in the same recording as the data it spoiled.
//
// Cheap by design: every value comes from what the OS already keeps (os.cpus(), statfs, /sys);
// no program is started. Nothing escapes the timer: a failing reading is logged once per kind
// and skipped, the others are still recorded.
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { cpus, freemem, homedir, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { definePlugin } from 'plexus-bench/plugin';

const MB = 1024 * 1024;
const GB = 1024 * MB;
const THERMAL = '/sys/class/thermal';

interface Zone {
  metric: string;
  file: string;
}

export default definePlugin({
  id: 'system-stats',
  name: 'System stats',
  version: '1.0.0',
  config: {
    type: 'object',
    properties: {
      intervalS: {
        type: 'number',
        title: 'Interval',
        description: 'How often the values are recorded',
        unit: 's',
        default: 2,
        minimum: 0.5,
        maximum: 3600,
      },
    },
  },
  setup(ctx) {
    const dataDir = process.env.PLEXUS_BENCH_DATA_DIR ?? homedir();
    const hasLoadAvg = process.platform !== 'win32'; // Windows reports 0, 0, 0

    ctx.describe('cpu_percent', { unit: '%', label: 'CPU load', min: 0, max: 100 });
    if (hasLoadAvg) ctx.describe('load_1m', { label: 'Load average (1 min)', min: 0 });
    ctx.describe('memory_used_mb', { unit: 'MB', label: 'Memory used', min: 0, max: round(totalmem() / MB, 0) });
    ctx.describe('memory_used_percent', { unit: '%', label: 'Memory used', min: 0, max: 100 });
    ctx.describe('disk_free_gb', { unit: 'GB', label: 'Disk free (data folder)', min: 0 });
    ctx.describe('disk_free_percent', { unit: '%', label: 'Disk free (data folder)', min: 0, max: 100 });

    // Each kind of failure is logged once, not every tick.
    const reported = new Set<string>();
    const failed = (kind: string, e: unknown): void => {
      if (reported.has(kind)) return;
      reported.add(kind);
      ctx.log.warn(`${kind}: ${e instanceof Error ? e.message : String(e)} (not recorded; said once)`);
    };

    const zones = findZones(failed);
    for (const z of zones) ctx.describe(z.metric, { unit: '°C', label: `Temperature ${z.metric.slice(5)}` });
    if (zones.length === 0)
      ctx.log.info(
        process.platform === 'linux'
          ? `no temperature sensors found in ${THERMAL}: temperatures are not recorded`
          : `temperatures are read on Linux only (this is ${process.platform}): not recorded`,
      );
    else ctx.log.info(`temperatures: ${zones.map((z) => z.metric.slice(5)).join(', ')}`);

    let last = cpuTimes();
    // withCpu false: the first reading, at once; the CPU's share needs an interval to measure.
    const tick = (withCpu: boolean): void => {
      const values: Record<string, number> = {};
      const status: string[] = [];

      try {
        const now = cpuTimes();
        const total = now.total - last.total;
        if (withCpu && total > 0) {
          const pct = clamp((100 * (now.busy - last.busy)) / total);
          values.cpu_percent = round(pct, 1);
          status.push(`CPU ${Math.round(pct)} %`);
        }
        last = now;
        if (hasLoadAvg) values.load_1m = round(loadavg()[0] ?? 0, 2);
      } catch (e) {
        failed('CPU', e);
      }

      try {
        const total = totalmem();
        const used = total - freemem();
        const pct = clamp((100 * used) / total);
        values.memory_used_mb = round(used / MB, 0);
        values.memory_used_percent = round(pct, 1);
        status.push(`memory ${Math.round(pct)} %`);
      } catch (e) {
        failed('memory', e);
      }

      try {
        const s = statfsSync(dataDir);
        const free = s.bavail * s.bsize;
        values.disk_free_gb = round(free / GB, 2);
        if (s.blocks > 0) values.disk_free_percent = round(clamp((100 * s.bavail) / s.blocks), 1);
        status.push(`disk ${free / GB >= 10 ? Math.round(free / GB) : round(free / GB, 1)} GB free`);
      } catch (e) {
        failed(`disk free of ${dataDir}`, e);
      }

      for (const z of zones) {
        try {
          values[z.metric] = round(readMilliCelsius(z.file), 1);
        } catch (e) {
          failed(`${z.metric} (${z.file})`, e);
        }
      }

      try {
        if (Object.keys(values).length > 0) ctx.sendBatch(values);
        ctx.status(status.join(' · ') || 'no values could be read (see the log)');
      } catch (e) {
        failed('recording', e);
      }
    };

    tick(false);
    const timer = setInterval(() => tick(true), ctx.config.intervalS * 1000);
    return () => clearInterval(timer);
  },
});

/** CPU time of all cores since boot (ms): busy (anything but idle) and total. */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    const all = t.user + t.nice + t.sys + t.irq + t.idle;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

/** Linux thermal zones that can be read, named by their `type` file (e.g. temp.x86_pkg_temp). */
function findZones(failed: (kind: string, e: unknown) => void): Zone[] {
  if (process.platform !== 'linux') return [];
  let dirs: string[];
  try {
    dirs = readdirSync(THERMAL).filter((d) => /^thermal_zone\d+$/.test(d));
  } catch {
    return []; // no /sys/class/thermal (a container, WSL…): no temperatures, said by the caller
  }
  dirs.sort((a, b) => Number(a.slice(12)) - Number(b.slice(12)));
  const zones: Zone[] = [];
  const used = new Set<string>();
  for (const d of dirs) {
    const file = join(THERMAL, d, 'temp');
    try {
      readMilliCelsius(file); // some zones exist but cannot be read (ENODATA): leave them out
    } catch {
      continue;
    }
    let type = d;
    try {
      type = readFileSync(join(THERMAL, d, 'type'), 'utf8').trim();
    } catch (e) {
      failed(`name of ${d}`, e);
    }
    let name =
      type
        .toLowerCase()
        .replace(/[^a-z0-9_]+/g, '_')
        .replace(/^_+|_+$/g, '') || d;
    if (used.has(name)) name = `${name}_${d.slice(12)}`; // two "acpitz" zones: acpitz, acpitz_1
    used.add(name);
    zones.push({ metric: `temp.${name}`, file });
  }
  return zones;
}

function readMilliCelsius(file: string): number {
  const v = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isFinite(v)) throw new Error(`${file} does not hold a number`);
  return v / 1000;
}

function clamp(pct: number): number {
  return Math.min(100, Math.max(0, pct));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
