// The plugin's settings: the schema the window draws its form from, and the checks that turn the
// settings into what the rest of the plugin uses (where the instrument is, which queries to poll).
// The schema cannot say "a host when TCP, a path when serial", so that is checked here and said
// in the window's status line instead of crashing the plugin.
import type { Target } from './transport';

/** One row of the query table: what to ask, and the metric (with its unit) the answer becomes. */
export type QueryRow = {
  query: string;
  metric: string;
  unit: string;
};

export const MAX_QUERIES = 32;

/** Names the plugin records itself; a query's metric may not take one. */
export const EVENT_NAMES = ['identity', 'command', 'instrument_error', 'disconnected'] as const;

const DEFAULT_ROWS: QueryRow[] = [
  { query: 'MEAS:VOLT?', metric: 'volts', unit: 'V' },
  { query: 'MEAS:CURR?', metric: 'amps', unit: 'A' },
];

/** The query table: one row per query, with the metric its answer becomes and that metric's unit. */
const QUERY_TABLE = {
  type: 'array',
  title: 'Queries',
  description: 'What to ask the instrument each poll, and the metric each answer is recorded as',
  items: {
    type: 'object',
    properties: {
      query: { type: 'string', title: 'Query', description: 'e.g. MEAS:VOLT?', minLength: 1, maxLength: 128 },
      metric: { type: 'string', title: 'Metric', description: 'e.g. volts', minLength: 1, maxLength: 64 },
      unit: { type: 'string', title: 'Unit', description: 'e.g. V', default: '', maxLength: 16 },
    },
    required: ['query', 'metric'],
  },
  default: DEFAULT_ROWS,
  maxItems: MAX_QUERIES,
} as const;

export const SCHEMA = {
  type: 'object',
  properties: {
    transport: { type: 'string', title: 'Connection', enum: ['tcp', 'serial'], default: 'tcp' },
    host: {
      type: 'string',
      title: 'Address',
      description: "TCP: the instrument's IP address or host name",
      default: '',
      maxLength: 253,
    },
    port: {
      type: 'integer',
      title: 'Port',
      description: 'TCP: raw SCPI socket',
      default: 5025,
      minimum: 1,
      maximum: 65535,
    },
    serialPath: {
      type: 'string',
      title: 'Serial port',
      description: 'Serial: e.g. /dev/ttyUSB0 or COM3',
      default: '',
      maxLength: 255,
    },
    baudRate: { type: 'integer', title: 'Baud rate', default: 9600, minimum: 50, maximum: 4_000_000 },
    dataBits: { type: 'integer', title: 'Data bits', default: 8, minimum: 5, maximum: 8 },
    parity: { type: 'string', title: 'Parity', enum: ['none', 'even', 'odd', 'mark', 'space'], default: 'none' },
    stopBits: { type: 'integer', title: 'Stop bits', default: 1, minimum: 1, maximum: 2 },
    // Kept so saved settings stay valid, though the recorder opens plugins' ports without it.
    rtscts: {
      type: 'boolean',
      title: 'RTS/CTS flow control',
      description: 'Not available to plugins: the port is opened without it',
      default: false,
    },
    lineEnding: {
      type: 'string',
      title: 'Line ending',
      description: 'What ends each command sent (answers may end in either)',
      enum: ['LF', 'CRLF'],
      default: 'LF',
    },
    queries: QUERY_TABLE,
    intervalS: {
      type: 'number',
      title: 'Poll interval',
      description: 'Pause between poll cycles (0: poll as fast as the instrument answers)',
      unit: 's',
      default: 1,
      minimum: 0,
      maximum: 3600,
    },
    timeoutS: { type: 'number', title: 'Query timeout', unit: 's', default: 2, minimum: 0.05, maximum: 60 },
    errorCheck: {
      type: 'string',
      title: 'Check SYST:ERR?',
      description: 'When the error queue is read while polling (always after a command sent)',
      enum: ['after each poll', 'after each query', 'off'],
      default: 'after each poll',
    },
    maxVolts: {
      type: 'number',
      title: 'Highest voltage',
      description: 'set_voltage refuses more than this',
      unit: 'V',
      default: 30,
      minimum: 0,
      maximum: 10_000,
    },
    maxAmps: {
      type: 'number',
      title: 'Highest current',
      description: 'set_current refuses more than this',
      unit: 'A',
      default: 5,
      minimum: 0,
      maximum: 1000,
    },
  },
} as const;

/** The settings as the plugin reads them (ctx.config, typed from SCHEMA). */
export interface ScpiConfig {
  transport: 'tcp' | 'serial';
  host: string;
  port: number;
  serialPath: string;
  baudRate: number;
  dataBits: number;
  parity: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits: number;
  rtscts: boolean;
  lineEnding: 'LF' | 'CRLF';
  /** The query table's rows, their columns' defaults filled in. */
  queries: ReadonlyArray<Readonly<Partial<QueryRow>>>;
  intervalS: number;
  timeoutS: number;
  errorCheck: 'after each poll' | 'after each query' | 'off';
  maxVolts: number;
  maxAmps: number;
}

export interface Settings {
  target: Target;
  /** What was set but cannot be honoured, in words: said in the log, the plugin goes on. */
  notes: string[];
  rows: QueryRow[];
  intervalMs: number;
  timeoutMs: number;
  lineEnding: string;
  errorCheck: ScpiConfig['errorCheck'];
  limits: { volts: number; amps: number };
}

/** The settings, or every reason they cannot be used (in the technician's words). */
export function checkConfig(c: ScpiConfig): { ok: true; settings: Settings } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  let target: Target | null = null;
  if (c.transport === 'tcp') {
    if (!c.host.trim()) problems.push("set the instrument's address (Address) for a TCP connection");
    else target = { kind: 'tcp', host: c.host.trim(), port: c.port };
  } else {
    if (!c.serialPath.trim()) problems.push('set the serial port (e.g. /dev/ttyUSB0 or COM3) for a serial connection');
    else
      target = {
        kind: 'serial',
        path: c.serialPath.trim(),
        baudRate: c.baudRate,
        dataBits: c.dataBits as 5 | 6 | 7 | 8,
        parity: c.parity,
        stopBits: c.stopBits as 1 | 2,
      };
    // An SCPI exchange is one short line each way, which fits any instrument's buffer, so the
    // handshake is rarely missed: go on without it, but say so.
    if (c.rtscts)
      notes.push("RTS/CTS flow control is not available to plugins' serial ports: the port is opened without it");
  }
  const { rows, problems: rowProblems } = queryRows(c.queries);
  problems.push(...rowProblems);
  if (!target || problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      target,
      notes,
      rows,
      intervalMs: c.intervalS * 1000,
      timeoutMs: c.timeoutS * 1000,
      lineEnding: c.lineEnding === 'CRLF' ? '\r\n' : '\n',
      errorCheck: c.errorCheck,
      limits: { volts: c.maxVolts, amps: c.maxAmps },
    },
  };
}

const METRIC = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/;

/**
 * The query table's rows, checked beyond what the schema can say (a query, not a command; a
 * metric name the recorder takes, used once). Bad rows are named, not guessed at.
 */
export function queryRows(raw: ScpiConfig['queries']): { rows: QueryRow[]; problems: string[] } {
  const rows: QueryRow[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  raw.forEach((r, i) => {
    const where = `query ${i + 1}`;
    const query = (r.query ?? '').trim();
    const metric = (r.metric ?? '').trim();
    const unit = (r.unit ?? '').trim();
    if (!query) return problems.push(`${where} has no query`);
    if (!query.split(/\s/)[0]!.endsWith('?'))
      return problems.push(`${where}: ${query} is not a query (a query's first word ends in "?", e.g. MEAS:VOLT?)`);
    if (query.includes(';')) return problems.push(`${where}: ${query} holds several commands; give each its own row`);
    if (!METRIC.test(metric))
      return problems.push(
        `${where} (${query}): the metric ${metric ? `"${metric}"` : 'is missing; it'} must be 1–64 letters, digits, "_", ".", ":" or "-"`,
      );
    if ((EVENT_NAMES as readonly string[]).includes(metric))
      return problems.push(`${where}: "${metric}" is the name of one of the plugin's own events; choose another`);
    if (seen.has(metric)) return problems.push(`${where}: the metric "${metric}" is used twice`);
    seen.add(metric);
    rows.push({ query, metric, unit });
  });
  if (raw.length > MAX_QUERIES) problems.push(`at most ${MAX_QUERIES} queries (there are ${raw.length})`);
  if (rows.length === 0 && problems.length === 0) problems.push('add at least one query to poll (e.g. MEAS:VOLT?)');
  return { rows, problems };
}
