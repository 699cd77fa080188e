// The Plexus client: public surface. Nothing here knows about Electron, React or the devices.
export { Plexus } from './client';
export type {
  SendOptions,
  BatchPoint,
  VideoResult,
  FlushResult,
  ClientStats,
  PlexusEvents,
  LoggedPoint,
  CloseResult,
} from './client-types';
export type { DroppedInfo } from './drops';
export type { RecoveryInfo } from './recovery-info';
export type { PlexusOptions, BufferOptions, Logger } from './config';
export { DEFAULT_GATEWAY_URL, DEFAULT_GATEWAY_WS_URL } from './config';
export type { Status, StatusInfo } from './status';
export type { ClockInfo, ClockSource } from './clock';
export type { CommandHandler, CommandOptions, CommandContext, CommandRecord, CommandParam } from './commands';
export type { RunInfo, RunRow } from './runs';
export type { RunOptions } from './runs';
export type { BlockRow } from './client-types';
export type { VideoFrameOptions, RawPixels } from './video';
export type { Tags, PointValue } from './validate';
export { checkMetricName } from './validate';
export {
  PlexusError,
  ValidationError,
  ConfigError,
  AuthError,
  TransportError,
  StorageError,
  ClosedError,
} from './errors';
export { LIMITS, SOURCE_ID_RE, SOURCE_ID_RULE } from './limits';
// Small building blocks other layers (device readers) reuse.
export { Backoff, TypedEmitter, type BackoffOptions } from '../../shared/util';
