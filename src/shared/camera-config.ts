// A camera's settings (RTSP, HTTP MJPEG, a file or a local device), once for the contract and the
// settings file.

import { z } from 'zod';

export const CameraConfigSchema = z
  .object({
    cameraId: z.string().min(1, 'camera id is required').max(200),
    url: z.string().min(1, 'camera URL or device is required').max(2048),
    fps: z.number().min(0.1).max(60).optional(),
    quality: z.number().int().min(1).max(100).optional(),
    width: z.number().int().min(16).max(7680).optional(),
    height: z.number().int().min(16).max(4320).optional(),
  })
  .strict();
export type CameraConfig = z.infer<typeof CameraConfigSchema>;
