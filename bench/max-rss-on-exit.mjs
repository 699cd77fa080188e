// Preloaded (`node --import`) into a child process a bench starts, to measure that child's peak
// memory from inside it: when the process exits, the kernel's high-water mark of its resident set
// (getrusage maxRSS, in MB) is written to the file named by BENCH_MAX_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_MAX_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, String(process.resourceUsage().maxRSS / 1024));
    } catch {
      // The bench reports the figure as missing.
    }
  });
}
