// The SCPI plugin's plain modules, without a worker: answers, settings, command checks, the line
// splitter, and the simulated supply's own SCPI interpreter (which the other tests rely on).
import { describe, expect, it } from 'vitest';
import { isQuery, parseError, parseIdentity, parseNumber, shortName } from '../../plugins/scpi/answers';
import { SPECS, checkLine, setCurrent, setOutput, setVoltage } from '../../plugins/scpi/commands';
import { checkConfig, queryRows, SCHEMA, type ScpiConfig } from '../../plugins/scpi/config';
import { LineSplitter, MAX_LINE_BYTES } from '../../plugins/scpi/lines';
import { schemaProblem, resolveConfig } from '../../src/shared/plugin-config';
import { headerRegex, PowerSupply, SIM_IDN } from './scpi-sim';

describe('answers', () => {
  it('reads numbers in every SCPI form, and says why a non-number is not one', () => {
    expect(parseNumber('12')).toEqual({ ok: true, value: 12 });
    expect(parseNumber('+1.20000000E+01\r')).toEqual({ ok: true, value: 12 });
    expect(parseNumber(' -0.0015 ')).toEqual({ ok: true, value: -0.0015 });
    expect(parseNumber('.5')).toEqual({ ok: true, value: 0.5 });
    expect(parseNumber('12.000 V')).toEqual({ ok: true, value: 12 });
    expect(parseNumber('OVLD')).toEqual({ ok: false, why: '"OVLD" is not a number' });
    expect(parseNumber('')).toEqual({ ok: false, why: '"" is not a number' });
    expect(parseNumber('1,2')).toMatchObject({ ok: false });
    expect(parseNumber('9.91E+37')).toEqual({ ok: false, why: '"9.91E+37" means overload or no reading' });
    expect(parseNumber('-9.9E37')).toMatchObject({ ok: false });
    expect(parseNumber('1e999')).toMatchObject({ ok: false, why: '"1e999" is not a finite number' });
  });

  it('reads error-queue entries and identities', () => {
    expect(parseError('-113,"Undefined header"')).toEqual({ code: -113, message: 'Undefined header' });
    expect(parseError('0,"No error"')).toEqual({ code: 0, message: 'No error' });
    expect(parseError('+0,"No error"')).toEqual({ code: 0, message: 'No error' });
    expect(parseError('-222,"Data out of range;VOLT 45"')).toEqual({
      code: -222,
      message: 'Data out of range;VOLT 45',
    });
    expect(parseError('12.5')).toBeNull();
    expect(parseError('garbage')).toBeNull();

    const id = parseIdentity(SIM_IDN);
    expect(id).toEqual({
      idn: SIM_IDN,
      manufacturer: 'PLEXUS SIM',
      model: 'BENCH PSU 30V-5A',
      serial: 'SN000042',
      firmware: '1.4.2',
    });
    expect(shortName(id)).toBe('PLEXUS SIM BENCH PSU 30V-5A (SN000042)');
    expect(shortName(parseIdentity('Keysight Technologies,E36312A,0,2.1.0-1.0.4-1.12'))).toBe(
      'Keysight Technologies E36312A',
    );
    expect(parseIdentity('ACME')).toMatchObject({ manufacturer: 'ACME', model: '', serial: '', firmware: '' });
  });

  it('tells queries (the instrument answers) from settings (it does not)', () => {
    expect(isQuery('MEAS:VOLT?')).toBe(true);
    expect(isQuery('VOLT? MAX')).toBe(true);
    expect(isQuery('*IDN?')).toBe(true);
    expect(isQuery('VOLT 5;VOLT?')).toBe(true);
    expect(isQuery('VOLT 12.0')).toBe(false);
    expect(isQuery('DISP:TEXT "Why?"')).toBe(false);
  });
});

describe('settings', () => {
  const base = resolveConfig(SCHEMA);
  if (!base.ok) throw new Error(base.message);
  const config = (over: Partial<ScpiConfig>): ScpiConfig => ({ ...(base.config as unknown as ScpiConfig), ...over });

  it('the schema is one the recorder takes, with the default query table filled in', () => {
    expect(schemaProblem(SCHEMA)).toBeNull();
    expect(base.config.queries).toEqual([
      { query: 'MEAS:VOLT?', metric: 'volts', unit: 'V' },
      { query: 'MEAS:CURR?', metric: 'amps', unit: 'A' },
    ]);
    const withRows = resolveConfig(SCHEMA, { queries: [{ query: 'MEAS:POW?', metric: 'watts' }] });
    expect(withRows.ok && withRows.config.queries).toEqual([{ query: 'MEAS:POW?', metric: 'watts', unit: '' }]);
    const tooMany = resolveConfig(SCHEMA, {
      queries: Array.from({ length: 33 }, (_, i) => ({ query: 'MEAS:VOLT?', metric: `v${i}` })),
    });
    expect(tooMany.ok).toBe(false);
  });

  it('TCP needs an address, serial a port; the target carries the line settings', () => {
    expect(checkConfig(config({}))).toEqual({
      ok: false,
      problems: ["set the instrument's address (Address) for a TCP connection"],
    });
    const tcp = checkConfig(config({ host: ' 10.0.0.7 ', port: 5025, timeoutS: 0.5, intervalS: 0 }));
    expect(tcp.ok && tcp.settings).toMatchObject({
      target: { kind: 'tcp', host: '10.0.0.7', port: 5025 },
      timeoutMs: 500,
      intervalMs: 0,
      lineEnding: '\n',
      limits: { volts: 30, amps: 5 },
    });
    expect(checkConfig(config({ transport: 'serial' }))).toMatchObject({ ok: false });
    const serial = checkConfig(
      config({ transport: 'serial', serialPath: '/dev/ttyUSB0', baudRate: 115200, parity: 'even', lineEnding: 'CRLF' }),
    );
    expect(serial.ok && serial.settings).toMatchObject({
      target: { kind: 'serial', path: '/dev/ttyUSB0', baudRate: 115200, dataBits: 8, parity: 'even', stopBits: 1 },
      lineEnding: '\r\n',
      notes: [],
    });
    // The recorder opens plugins' ports without RTS/CTS: said, not silently dropped, nor refused.
    const rtscts = checkConfig(config({ transport: 'serial', serialPath: '/dev/ttyUSB0', rtscts: true }));
    expect(rtscts.ok && rtscts.settings.notes).toEqual([
      "RTS/CTS flow control is not available to plugins' serial ports: the port is opened without it",
    ]);
  });

  it('names each bad query row and why', () => {
    const { rows, problems } = queryRows([
      { query: 'MEAS:VOLT?', metric: 'volts', unit: 'V' },
      { query: 'VOLT 5', metric: 'set' },
      { query: 'MEAS:VOLT?;MEAS:CURR?', metric: 'both' },
      { query: 'MEAS:CURR?', metric: 'amps now' },
      { query: 'MEAS:CURR?', metric: 'volts' },
      { query: 'MEAS:CURR?', metric: 'command' },
      { query: '  ', metric: 'x' },
      { query: 'MEAS:CURR? (@1)', metric: 'ch1_amps', unit: 'A' },
    ]);
    expect(rows).toEqual([
      { query: 'MEAS:VOLT?', metric: 'volts', unit: 'V' },
      { query: 'MEAS:CURR? (@1)', metric: 'ch1_amps', unit: 'A' },
    ]);
    expect(problems).toEqual([
      'query 2: VOLT 5 is not a query (a query\'s first word ends in "?", e.g. MEAS:VOLT?)',
      'query 3: MEAS:VOLT?;MEAS:CURR? holds several commands; give each its own row',
      'query 4 (MEAS:CURR?): the metric "amps now" must be 1–64 letters, digits, "_", ".", ":" or "-"',
      'query 5: the metric "volts" is used twice',
      'query 6: "command" is the name of one of the plugin\'s own events; choose another',
      'query 7 has no query',
    ]);
    expect(queryRows([]).problems).toEqual(['add at least one query to poll (e.g. MEAS:VOLT?)']);
  });
});

describe('command checks', () => {
  it('every command that changes the instrument waits for approval', () => {
    for (const spec of Object.values(SPECS)) expect(spec.requiresApproval).toBe(true);
  });

  it('set_voltage / set_current / output: range-checked, in words, into SCPI', () => {
    expect(setVoltage({ volts: 12 }, 30)).toEqual({ line: 'VOLT 12', readback: 'VOLT?' });
    expect(setVoltage({ volts: '0.0000001' }, 30).line).toBe('VOLT 0'); // no exponent notation
    expect(setVoltage({ volts: 1.23456789 }, 30).line).toBe('VOLT 1.234568');
    expect(() => setVoltage({ volts: 30.01 }, 30)).toThrow(
      'volts must be between 0 and 30 V (the highest this bench allows); got 30.01 V',
    );
    expect(() => setVoltage({ volts: Number.NaN }, 30)).toThrow('volts must be a number of volts, e.g. 1.5 (got NaN)');
    expect(() => setVoltage({ volts: true }, 30)).toThrow('(got true)');
    expect(setCurrent({ amps: 0 }, 5)).toEqual({ line: 'CURR 0', readback: 'CURR?' });
    expect(() => setCurrent({ amps: -0.1 }, 5)).toThrow('amps must be between 0 and 5 A');
    expect(setOutput({ on: true }).line).toBe('OUTP ON');
    expect(setOutput({ on: 'OFF' }).line).toBe('OUTP OFF');
    expect(setOutput({ on: 0 }).line).toBe('OUTP OFF');
    expect(() => setOutput({})).toThrow('on must be true ("on") or false ("off"); got nothing');
  });

  it('send takes one line of printable text', () => {
    expect(checkLine({ line: '  VOLT 12.0 ' })).toBe('VOLT 12.0');
    expect(() => checkLine({})).toThrow('line must be the text to send');
    expect(() => checkLine({ line: 'VOLT 1\r\n*RST' })).toThrow('one line of text');
    expect(() => checkLine({ line: 'x'.repeat(257) })).toThrow('line is 257 characters long; at most 256');
  });
});

describe('line splitter', () => {
  it('cuts lines at "\\n" across chunks, drops a trailing "\\r", and skips an over-long line', () => {
    const lines: string[] = [];
    const overflows: number[] = [];
    const s = new LineSplitter(
      (l) => lines.push(l),
      (n) => overflows.push(n),
    );
    s.push(Buffer.from('+1.2E+01\r\n12.0'));
    s.push(Buffer.from('000\n\n'));
    expect(lines).toEqual(['+1.2E+01', '12.0000', '']);
    s.push(Buffer.alloc(MAX_LINE_BYTES, 0x41));
    s.push(Buffer.from('AAAA'));
    s.push(Buffer.from('tail of the long one\nOK\n'));
    expect(overflows).toHaveLength(1);
    expect(lines.slice(3)).toEqual(['OK']);
  });
});

describe('the simulated supply', () => {
  it('takes short and long forms in any case, optional nodes, and not half-forms', () => {
    const meas = headerRegex('MEASure[:SCALar]:VOLTage[:DC]?');
    for (const h of ['MEAS:VOLT?', 'measure:voltage?', 'MEASure:VOLTage?', ':MEAS:SCAL:VOLT:DC?', 'meas:volt:dc?'])
      expect(meas.test(h), h).toBe(true);
    for (const h of ['MEASU:VOLT?', 'MEAS:VOLT', 'MEAS:VOL?', 'MEAS:CURR?']) expect(meas.test(h), h).toBe(false);
  });

  it('keeps a real error queue and a load model', () => {
    const psu = new PowerSupply();
    expect(psu.handle('*IDN?')).toBe(SIM_IDN);
    expect(psu.handle('VOLT 12;CURR 2;OUTP ON')).toBeNull();
    expect(psu.handle('VOLT?;MEAS:VOLT?;MEAS:CURR?')).toBe('+1.20000000E+01;12.0000;1.2000');
    expect(psu.handle('SOUR:VOLT:LEV 500 mV;:volt?')).toBe('+5.00000000E-01');
    psu.handle('VOLT 45');
    psu.handle('FOO');
    psu.handle('VOLT abc');
    psu.handle('VOLT');
    expect(psu.handle('SYST:ERR?')).toBe('-222,"Data out of range"');
    expect(psu.handle('SYSTem:ERRor:NEXT?')).toBe('-113,"Undefined header"');
    expect(psu.handle('syst:err?')).toBe('-104,"Data type error"');
    expect(psu.handle('SYST:ERR?')).toBe('-109,"Missing parameter"');
    expect(psu.handle('SYST:ERR?')).toBe('0,"No error"');
    for (let i = 0; i < 12; i++) psu.handle('FOO');
    expect(psu.errors).toHaveLength(10);
    expect(psu.errors.at(-1)).toBe('-350,"Queue overflow"');
    psu.handle('*CLS');
    expect(psu.handle('SYST:ERR?')).toBe('0,"No error"');
    psu.handle('*RST');
    expect(psu.handle('OUTP?;MEAS:CURR?')).toBe('0;0.0000');
  });
});
