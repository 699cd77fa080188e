// The plugin's settings as the window shows them. The register map and the groups are table
// fields: the window draws them as tables (with Import CSV, to paste a map from a device manual)
// and checks every cell against its column before the plugin runs. What a column cannot say on
// its own (a metric named twice, registers that overlap, a type a coil cannot hold) is checked
// across rows in register-map.ts.
import type { ConfigOf, ConfigSchema } from 'plexus-bench/plugin';
import { VALUE_TYPES, WORD_ORDERS } from './decode';
import { FUNCTIONS, MAX_ROWS, METRIC_PATTERN } from './register-map';

/** One row per value read: where it is on the device, how to decode it, what to call it. */
export const REGISTER_COLUMNS = {
  metric: {
    type: 'string',
    title: 'Metric',
    description: 'The name recorded (after the instance\'s name): letters, digits, "_", ".", "-" and "/"',
    minLength: 1,
    maxLength: 128,
    pattern: METRIC_PATTERN,
  },
  unit_id: {
    type: 'integer',
    title: 'Unit id',
    // 248–255 are reserved on a serial line, but some Modbus TCP devices answer only unit id 255.
    description: "The device's unit id (slave address): 1–247 on a serial line; over TCP often 1, 0 or 255",
    default: 1,
    minimum: 0,
    maximum: 255,
  },
  function: {
    type: 'string',
    title: 'Function',
    description: 'holding register (FC 3), input register (FC 4), coil (FC 1) or discrete input (FC 2)',
    enum: FUNCTIONS,
    default: 'holding',
  },
  address: {
    type: 'integer',
    title: 'Address',
    description: "As sent to the device, counted from 0: a manual's 40001 or 30001 is 0",
    minimum: 0,
    maximum: 65535,
  },
  type: {
    type: 'string',
    title: 'Type',
    description: '16-, 32- or 64-bit integer (u unsigned, s signed) or float; bool for coils and discrete inputs',
    enum: VALUE_TYPES,
    default: 'u16',
  },
  words: {
    type: 'string',
    title: 'Word order',
    description: 'For 32- and 64-bit values: big = most significant register first (ABCD); little = swapped (CDAB)',
    enum: WORD_ORDERS,
    default: 'big',
  },
  scale: { type: 'number', title: 'Scale', description: 'Recorded value = raw × scale + offset', default: 1 },
  offset: { type: 'number', title: 'Offset', description: 'Recorded value = raw × scale + offset', default: 0 },
  unit: { type: 'string', title: 'Unit', description: 'Shown with the value, e.g. V', default: '', maxLength: 32 },
  group: {
    type: 'string',
    title: 'Group',
    description: 'The group it is read with (see Groups)',
    default: 'main',
    minLength: 1,
    maxLength: 64,
  },
} as const;

/** How often each group is read. */
export const GROUP_COLUMNS = {
  group: { type: 'string', title: 'Group', minLength: 1, maxLength: 64 },
  interval_s: {
    type: 'number',
    title: 'Interval (s)',
    description: 'Seconds between reads; 0: again as soon as the device answered',
    default: 1,
    minimum: 0,
    maximum: 86_400,
  },
} as const;

export const configSchema = {
  type: 'object',
  properties: {
    transport: {
      type: 'string',
      title: 'Connection',
      description: 'tcp: Modbus TCP over the network; rtu: Modbus RTU over a serial port (RS-485/RS-232)',
      enum: ['tcp', 'rtu'],
      default: 'tcp',
    },
    host: { type: 'string', title: 'Host', description: "The device's (or gateway's) address, for TCP", default: '' },
    port: { type: 'integer', title: 'TCP port', default: 502, minimum: 1, maximum: 65535 },
    serialPath: {
      type: 'string',
      title: 'Serial port',
      description: 'For RTU, e.g. /dev/ttyUSB0 or COM3',
      default: '',
    },
    baudRate: { type: 'integer', title: 'Baud rate', default: 9600, minimum: 300, maximum: 921600 },
    parity: { type: 'string', title: 'Parity', enum: ['none', 'even', 'odd'], default: 'even' },
    stopBits: { type: 'integer', title: 'Stop bits', default: 1, minimum: 1, maximum: 2 },
    dataBits: { type: 'integer', title: 'Data bits', default: 8, minimum: 7, maximum: 8 },
    timeoutS: {
      type: 'number',
      title: 'Timeout',
      description: 'How long to wait for each answer',
      unit: 's',
      default: 1,
      minimum: 0.05,
      maximum: 60,
    },
    registers: {
      type: 'array',
      title: 'Register map',
      description: 'One row per value to read. Import CSV takes a map pasted from the device manual or a spreadsheet',
      items: { type: 'object', properties: REGISTER_COLUMNS, required: ['metric', 'address'] },
      // An example (a meter's voltage, current and energy), so the table shows what a row looks like.
      default: [
        { metric: 'voltage', function: 'input', address: 0, type: 'f32', unit: 'V' },
        { metric: 'current', function: 'input', address: 2, type: 'f32', unit: 'A' },
        { metric: 'energy', function: 'holding', address: 256, type: 'u32', scale: 0.01, unit: 'kWh' },
      ],
      minItems: 1,
      maxItems: MAX_ROWS,
    },
    groups: {
      type: 'array',
      title: 'Groups',
      description: 'How often each group of the register map is read',
      items: { type: 'object', properties: GROUP_COLUMNS, required: ['group'] },
      default: [{ group: 'main', interval_s: 1 }],
      minItems: 1,
      maxItems: 100,
    },
    gap: {
      type: 'integer',
      title: 'Read across gaps',
      description:
        'Registers of one group, unit and function this many unused addresses apart or closer are read in one request (coils and inputs: 16 times as many); 0 if the device refuses reads that include unused addresses',
      default: 8,
      minimum: 0,
      maximum: 124,
    },
    maxRegisters: {
      type: 'integer',
      title: 'Registers per request',
      description: 'At most this many registers in one request (125 is the protocol limit; some devices take fewer)',
      default: 125,
      minimum: 1,
      maximum: 125,
    },
    inFlight: {
      type: 'integer',
      title: 'Requests at once (TCP)',
      description:
        'Requests sent before the first is answered, over TCP; raise it for devices that queue requests, to read faster',
      default: 1,
      minimum: 1,
      maximum: 32,
    },
  },
} as const satisfies ConfigSchema;

/** The settings as `ctx.config` holds them: typed from the schema, so the two cannot drift apart. */
export type ModbusConfig = ConfigOf<typeof configSchema>;
export type RegisterRowConfig = ModbusConfig['registers'][number];
export type GroupRowConfig = ModbusConfig['groups'][number];
