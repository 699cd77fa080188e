// The contract's refusals in a technician's words. The host checks every request with its zod
// schema; what went wrong is said here per request (what the technician was doing) and per field
// (the label the window shows beside it), never as the request's name, a field path or zod's own
// wording. The window checks the same rules as the technician types, so these sentences are what
// it shows when the host refuses anyway (another window changed something, an older window).
// Imported by contract.ts (the host) and bridge.ts (the window); imports only zod's types.

import type { z } from 'zod';
import type { RequestName } from './contract';

/** What each request does, as "Could not …" finishes it. */
export const REQUEST_WORDS: Record<RequestName, string> = {
  'state.get': 'load the recorder’s state',
  'live.history': 'load the last minute of the live values',
  'settings.save': 'save the settings',
  'settings.setDeviceName': 'save the device name',
  'settings.setApiKey': 'save the API key',
  'settings.setGateway': 'save the gateway',
  'settings.setFfmpegPath': 'use that FFmpeg',
  'serial.listPorts': 'list the serial ports',
  'serial.add': 'add the serial device',
  'serial.update': 'save the serial device',
  'serial.remove': 'remove the serial device',
  'serial.redetect': 'detect the line format again',
  'serial.connect': 'connect the serial device',
  'serial.disconnect': 'disconnect the serial device',
  'serial.write': 'send the line',
  'camera.add': 'add the camera',
  'camera.update': 'save the camera',
  'camera.remove': 'remove the camera',
  'camera.start': 'start the camera',
  'camera.stop': 'stop the camera',
  'demo.set': 'switch the demo sensor',
  'run.start': 'start the run',
  'run.stop': 'stop the run',
  'run.update': "save the run's details",
  'run.delete': 'delete the run',
  'run.open': 'open the run',
  'run.series': 'plot the run',
  'run.export': 'export the run',
  'marker.add': 'drop the marker',
  'webcam.frame': 'send the webcam picture',
  'webcam.state': 'switch the webcam',
  'plugin.catalog': 'list the plugins',
  'plugin.inspect': 'read the plugin folder',
  'plugin.add': 'add the plugin',
  'plugin.allow': 'allow the plugin',
  'plugin.configure': 'save the plugin’s settings',
  'plugin.setEnabled': 'switch the plugin',
  'plugin.restart': 'restart the plugin',
  'plugin.command': 'run the plugin’s command',
  'plugin.remove': 'remove the plugin',
  'network.add': 'add the network source',
  'network.update': 'save the network source',
  'network.setEnabled': 'switch the network source',
  'network.remove': 'remove the network source',
  'app.openLogFolder': 'open the log folder',
  'command.answer': 'answer the command',
};

/** Labels by field path, as the forms show them; per request where one path means different things. */
const FIELD_LABELS: Record<string, string> = {
  deviceName: 'Device name',
  apiKey: 'API key',
  gateway: 'Gateway',
  'gateway.mode': 'Gateway',
  'gateway.url': 'Gateway URL',
  'gateway.wsUrl': 'WebSocket URL',
  path: 'FFmpeg program',
  id: 'Which item',
  runId: 'Which run',
  'run.export:format': 'Export format',
  name: 'Name',
  note: 'Marker note',
  line: 'Line to send',
  enabled: 'On or off',
  approve: 'Approve or reject',
  'plugin.command:command': 'Command',
  'plugin.command:params': 'Command values',
  reason: 'Reason',
  folder: 'Plugin folder',
  cameraId: 'Camera id',
  jpeg: 'Webcam picture',
  capturedAt: 'Picture time',
  streaming: 'Webcam on or off',
  label: 'Webcam name',
  fps: 'Frames per second',
  config: 'Settings',
  'config.name': 'Name',
  'config.displayName': 'Name',
  'config.prefix': 'Metric prefix',
  'config.path': 'Port',
  'config.serialNumber': 'USB serial number',
  'config.vendorId': 'Vendor id',
  'config.productId': 'Product id',
  'config.baudRate': 'Baud rate',
  'config.dataBits': 'Data bits',
  'config.parity': 'Parity',
  'config.stopBits': 'Stop bits',
  'config.parser': 'Line format',
  'config.fields': 'Field units and labels',
  'config.cameraId': 'Camera id',
  'config.url': 'Camera URL or device',
  'config.fps': 'Frames per second',
  'config.quality': 'JPEG quality',
  'config.width': 'Width',
  'config.height': 'Height',
  'config.protocol': 'Protocol',
  'config.port': 'Port number',
  'run.start:name': 'Run name',
  'run.update:name': 'Run name',
  operator: 'Operator',
  description: 'Description',
  fields: 'Run fields',
  sources: 'Sources to record',
  metrics: 'Metrics to plot',
  from: 'Start of the range',
  to: 'End of the range',
  columns: 'Plot width',
  'settings.setDeviceName:name': 'Device name',
  'settings.setFfmpegPath:path': 'FFmpeg program',
};

/** The label of a field the technician filled in, or null for the request as a whole. */
export function fieldLabel(request: RequestName, path: ReadonlyArray<PropertyKey>): string | null {
  if (path.length === 0) return null;
  const key = path.map(String).join('.');
  const known = FIELD_LABELS[`${request}:${key}`] ?? FIELD_LABELS[key];
  if (known) return known;
  const [first, second, third, fourth] = path.map(String);
  // A serial device's per-field unit or label: config.fields.<field>.unit
  if (first === 'config' && second === 'fields' && third !== undefined)
    return fourth === 'label' ? `Label of field "${third}"` : `Unit of field "${third}"`;
  // A plugin's own settings are named by the plugin: config.<key>
  if (first === 'config' && second !== undefined) return `Setting "${second}"`;
  return FIELD_LABELS[path.map(String).slice(0, -1).join('.')] ?? 'A value';
}

const KIND: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'yes or no',
  object: 'a group of settings',
  array: 'a list',
};

/**
 * zod's own messages (those the schemas do not word themselves) in plain words. Passed to every
 * parse of a request; a schema's own message wins over it.
 */
export function plainIssue(iss: z.core.$ZodRawIssue): string {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'missing';
      return `must be ${KIND[iss.expected] ?? 'something else'}`;
    case 'too_big': {
      const n = Number(iss.maximum).toLocaleString('en-US');
      if (iss.origin === 'string') return `too long: at most ${n} characters`;
      if (iss.origin === 'array' || iss.origin === 'set') return `too many: at most ${n}`;
      return `too large: at most ${n}`;
    }
    case 'too_small': {
      const n = Number(iss.minimum).toLocaleString('en-US');
      if (iss.origin === 'string') return Number(iss.minimum) <= 1 ? 'cannot be empty' : `at least ${n} characters`;
      if (iss.origin === 'array' || iss.origin === 'set') return `at least ${n}`;
      return `too small: at least ${n}`;
    }
    case 'unrecognized_keys':
      return `the window sent ${iss.keys.map((k) => `"${k}"`).join(', ')}, which this recorder does not know — reload the window`;
    case 'invalid_value':
      return `must be one of ${iss.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_union':
      return 'is not one of the choices';
    case 'not_multiple_of':
      return `must be a multiple of ${String(iss.divisor)}`;
    default:
      return 'is not valid';
  }
}

/** One refusal of a request, as the window shows it: what failed, and each field's problem. */
export function refusalText(
  request: RequestName,
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): string {
  const parts = issues.slice(0, 3).map((i) => {
    const label = fieldLabel(request, i.path);
    // A request that is not a group of settings at all cannot be the technician's doing.
    if (label === null && /^must be a group of settings$/.test(i.message))
      return 'The window sent something this recorder cannot read — reload the window';
    return label ? `${label}: ${i.message}` : i.message.charAt(0).toUpperCase() + i.message.slice(1);
  });
  return `Could not ${REQUEST_WORDS[request]}. ${parts.join('; ')}.`;
}

/** A handler's failure (not found, refused by a rule the schema cannot check), in the same words. */
export function failureText(request: RequestName, message: string): string {
  return `Could not ${REQUEST_WORDS[request]}: ${message}`;
}

/**
 * A rejected request's message as the window shows it: without Electron's "Error invoking remote
 * method" wrapper, and with a request's internal name ("run.start: …", "bad payload for …", from a
 * recorder older than this window) turned into what the technician was doing. The host words its
 * refusals itself; this only guards the seam.
 */
export function shownText(raw: string): string {
  const text = raw.replace(/^Error invoking remote method '[^']*': (?:Error: )?/, '');
  const legacy = /^(?:bad payload for )?([a-z]+\.[A-Za-z]+): (.*)$/s.exec(text);
  const request = legacy?.[1];
  if (!legacy || !request || !(request in REQUEST_WORDS)) return text;
  const name = request as RequestName;
  const rest = legacy[2]!;
  if (!text.startsWith('bad payload')) return failureText(name, rest);
  const issues = rest.split('; ').map((part) => {
    const m = /^([\w.]+): (.*)$/s.exec(part);
    return m ? { path: m[1]!.split('.'), message: m[2]! } : { path: [], message: part };
  });
  return refusalText(name, issues);
}
