// The window's requests about serial devices, cameras and webcams: thin, typed forwards to Sources
// (the contract's schemas have already checked every payload).

import type { RequestHandlers } from '../../shared/contract';
import { listSerialPorts } from '../devices/serial';
import type { Sources } from './sources';

type SourceRequest =
  | 'serial.listPorts'
  | 'serial.add'
  | 'serial.update'
  | 'serial.remove'
  | 'serial.connect'
  | 'serial.disconnect'
  | 'serial.write'
  | 'serial.redetect'
  | 'camera.add'
  | 'camera.update'
  | 'camera.remove'
  | 'camera.start'
  | 'camera.stop'
  | 'webcam.frame'
  | 'webcam.state';

export function sourceRequests(sources: Sources): Pick<RequestHandlers, SourceRequest> {
  return {
    'serial.listPorts': () => listSerialPorts(),
    'serial.add': ({ config }) => ({ id: sources.addSerial(config) }),
    'serial.update': async ({ id, config }) => {
      await sources.updateSerial(id, config);
      return { id };
    },
    'serial.remove': async ({ id }) => {
      await sources.removeSerial(id);
      return { id };
    },
    'serial.connect': async ({ id }) => {
      await sources.setSerialEnabled(id, true);
      return { id };
    },
    'serial.disconnect': async ({ id }) => {
      await sources.setSerialEnabled(id, false);
      return { id };
    },
    'serial.write': async ({ id, line }) => {
      await sources.writeSerial(id, line);
      return { id };
    },
    'camera.add': ({ config }) => ({ id: sources.addCamera(config) }),
    'camera.update': async ({ id, config }) => {
      await sources.updateCamera(id, config);
      return { id };
    },
    'camera.remove': async ({ id }) => {
      await sources.removeCamera(id);
      return { id };
    },
    'camera.start': ({ id }) => {
      sources.startCamera(id);
      return { id };
    },
    'camera.stop': async ({ id }) => {
      await sources.stopCamera(id);
      return { id };
    },
    'webcam.frame': ({ cameraId, jpeg, capturedAt }) => sources.webcamFrame(cameraId, jpeg, capturedAt),
    'serial.redetect': ({ id }) => {
      sources.redetectSerial(id);
      return { id };
    },
    'webcam.state': ({ cameraId, streaming, label, reason }) => {
      sources.setWebcam(cameraId, streaming, label, reason);
      return { cameraId };
    },
  };
}
