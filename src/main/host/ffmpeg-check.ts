// Whether an FFmpeg can be used, in the words the settings dialog shows: checked at start and
// when the technician sets a path, so a missing FFmpeg is said before a camera fails.

import { ffmpegVersion, resolveFfmpeg } from '../devices/camera';

export interface FfmpegCheck {
  found: string | null;
  version: string | null;
  problem: string | null;
}

/** The binary found and its version, or why not. Never throws. */
export async function checkFfmpeg(path: string | null): Promise<FfmpegCheck> {
  let found: string;
  try {
    found = resolveFfmpeg({ configuredPath: path });
  } catch (e) {
    return { found: null, version: null, problem: (e as Error).message };
  }
  try {
    return { found, version: (await ffmpegVersion(found)).version, problem: null };
  } catch (e) {
    return { found, version: null, problem: (e as Error).message };
  }
}
