export { SerialDevice, validateSerialConfig } from './serial-device';
export type {
  SerialDeviceConfig,
  SerialDeviceOptions,
  SerialState,
  SerialStatus,
  SerialStats,
  LogEntry,
} from './serial-device';
export { listSerialPorts, bindingFor, resolveBinding, describeBinding, describePort } from './ports';
export type { PortInfo, PortBinding } from './ports';
export { LineSplitter, MAX_LINE_BYTES } from '../lines/line-splitter';
