// The shell's logic is plain Node: nothing under src/main/shell imports electron (the shell file
// src/main/index.ts passes Electron's objects in), so all of it runs in these tests.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(__dirname, '..', '..', 'src', 'main', 'shell');

describe('src/main/shell', () => {
  it('imports no electron', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files)
      expect(readFileSync(join(DIR, f), 'utf8'), f).not.toMatch(/(from|require\(|import\()\s*['"]electron['"]/);
  });
});
