// Entry point of headless mode (built to out/main/headless.js; see src/main/headless/cli.ts).
import { join } from 'node:path';
import { main } from './headless/cli';

main(process.argv.slice(2), join(__dirname, '../renderer')).catch((e: unknown) => {
  // main() reports every start-up failure itself; this is the last resort: one line, no stack.
  process.stderr.write(`Plexus Bench stopped: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
  process.exit(1);
});
