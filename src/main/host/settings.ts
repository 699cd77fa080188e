// The host's settings: one JSON file in the data folder, read with its own versioned schema
// (settings-schema.ts), written atomically (temp file + rename). Nothing the technician saved is
// thrown away: an entry this version cannot use is set aside into a file beside it, a file from a
// newer version is copied before this one writes its own, and a file that is not JSON at all is
// renamed aside. Each is reported, none is fatal.

import {
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  SETTINGS_VERSION,
  defaultSettings,
  fileVersion,
  readSettings,
  type SetAside,
  type Settings,
} from './settings-schema';

export { SETTINGS_VERSION, defaultSettings, type SetAside, type Settings } from './settings-schema';

/** How many reasons the one-line problem names (the set-aside file holds them all). */
const REASONS_SHOWN = 3;

export class SettingsFile {
  readonly path: string;
  /** Why the file on disk could not be used as it is, if it could not: one line for a person. */
  problem: string | null = null;
  /** What the last load set aside, each with its reason. */
  setAside: SetAside[] = [];
  /**
   * Why save() writes nothing, when it must not: the file on disk holds something this version
   * could not keep a copy of (a newer version's file, or entries it set aside), and writing over
   * it would lose that.
   */
  readOnly: string | null = null;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'settings.json');
  }

  load(): Settings {
    this.problem = null;
    this.setAside = [];
    this.readOnly = null;
    if (!existsSync(this.path)) return defaultSettings();
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
      fileVersion(raw);
    } catch (e) {
      return this.damaged(e as Error);
    }
    const { settings, version, setAside } = readSettings(raw);
    const notes: string[] = [];
    if (version > SETTINGS_VERSION) notes.push(this.keepNewer(version));
    if (setAside.length > 0) notes.push(this.keepSetAside(version, setAside));
    this.setAside = setAside;
    this.problem = notes.length ? notes.join(' · ') : null;
    return settings;
  }

  save(s: Settings): void {
    if (this.readOnly) return;
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ ...s, version: SETTINGS_VERSION }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  /** Not JSON, or not a settings object at all: nothing in it can be read, so all of it is set aside. */
  private damaged(e: Error): Settings {
    const aside = `${this.path}.damaged-${Date.now()}`;
    try {
      renameSync(this.path, aside);
    } catch {
      // keep going with defaults even if it cannot be moved
    }
    this.problem = `settings.json could not be read (${e.message.split('\n')[0]}); it was set aside as ${aside} and defaults are used`;
    return defaultSettings();
  }

  /**
   * A file from a newer version (the technician went back a version). It is copied byte for byte
   * before this version writes its own shape, so going forward again loses nothing; meanwhile the
   * bench keeps its devices and key and changes made now are kept. When no copy can be made, the
   * file is only read: changes made now are lost at the next start, which is the smaller loss.
   */
  private keepNewer(version: number): string {
    const what = `settings.json was written by a newer Plexus Bench (settings version ${version}, this one knows ${SETTINGS_VERSION})`;
    try {
      const copy = freshPath(`${this.path}.v${version}`);
      copyFileSync(this.path, copy, constants.COPYFILE_EXCL);
      chmodSync(copy, 0o600);
      return `${what}; this version uses what it knows of it and kept the original as ${copy}`;
    } catch (e) {
      this.readOnly = `no copy of the newer file could be kept (${(e as Error).message})`;
      return `${what}; it is only read, not written (${this.readOnly}): changes made now are not saved`;
    }
  }

  /** Entries this version cannot use go to a file of their own, with their reasons, before anything is written. */
  private keepSetAside(version: number, entries: SetAside[]): string {
    const reasons = entries
      .slice(0, REASONS_SHOWN)
      .map((e) => `${e.where} ${e.reason}`)
      .join('; ');
    const more = entries.length > REASONS_SHOWN ? `; and ${entries.length - REASONS_SHOWN} more` : '';
    const count = entries.length === 1 ? '1 entry' : `${entries.length} entries`;
    try {
      const aside = freshPath(`${this.path}.set-aside-${Date.now()}`);
      const body = { from: this.path, version, setAsideAt: new Date().toISOString(), entries };
      writeFileSync(aside, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      return `${count} of settings.json could not be used and ${entries.length === 1 ? 'was' : 'were'} set aside in ${aside} (${reasons}${more})`;
    } catch (e) {
      this.readOnly ??= `the entries it could not use could not be set aside (${(e as Error).message})`;
      return `${count} of settings.json could not be used (${reasons}${more}); settings.json is only read, not written, so they are not lost: ${this.readOnly}`;
    }
  }
}

/** `base`, or `base-2`, `base-3`… whichever does not exist yet. */
function freshPath(base: string): string {
  let p = base;
  for (let i = 2; existsSync(p); i++) p = `${base}-${i}`;
  return p;
}
