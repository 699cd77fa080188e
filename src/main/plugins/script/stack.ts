// Where in the plugin's own code an error happened, for a person: `index.ts:32:11`, from the
// first stack frame that is not Node's or the recorder's (source maps give the .ts position).

const OURS = /node:|worker-main|plugin-worker|\[worker eval\]/;

export function whereInPlugin(stack: string | undefined): string | null {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const l = line.trim();
    if (!l.startsWith('at ') || OURS.test(l)) continue;
    const m = /\(?([^\s()]+):(\d+):(\d+)\)?$/.exec(l);
    if (!m) continue;
    const file = m[1]!
      .replace(/^file:\/\//, '')
      .split(/[\\/]/)
      .pop();
    return `${file}:${m[2]}:${m[3]}`;
  }
  return null;
}

/** An error's name (unless plain), message, and where in the plugin it came from. */
export function describePluginError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const head = `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`;
  const where = whereInPlugin(e.stack);
  return where ? `${head} (at ${where})` : head;
}
