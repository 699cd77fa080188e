// A camera's settings (RTSP, HTTP MJPEG, a file or a local device), once for the contract and the
// settings file.

import { z } from 'zod';
import { metricPrefixProblem } from './names';

/**
 * The camera id names it on the platform and in its metrics (`camera.<id>.fps`), so it follows the
 * one metric prefix rule (names.ts); the free-text name is for showing ("Front Cam" → front_cam).
 */
export const CameraConfigSchema = z
  .object({
    cameraId: z
      .string()
      .min(1, 'camera id is required')
      .refine((id) => metricPrefixProblem(id) === null, {
        error: (iss) => metricPrefixProblem(String(iss.input)) ?? 'not valid',
      }),
    /** What the window shows; absent: the id. */
    name: z.string().trim().max(200, 'a camera name is at most 200 characters').optional(),
    url: z.string().min(1, 'camera URL or device is required').max(2048),
    fps: z.number().min(0.1).max(60).optional(),
    quality: z.number().int().min(1).max(100).optional(),
    width: z.number().int().min(16).max(7680).optional(),
    height: z.number().int().min(16).max(4320).optional(),
  })
  .strict();
export type CameraConfig = z.infer<typeof CameraConfigSchema>;
