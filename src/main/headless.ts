// Entry point of headless mode (built to out/main/headless.js; see src/main/headless/cli.ts).
import { join } from 'node:path';
import { main } from './headless/cli';

void main(process.argv.slice(2), join(__dirname, '../renderer'));
