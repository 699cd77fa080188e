// zod compiles object parsers with `new Function` unless told not to, and probes whether it may
// by calling it once. The window's CSP forbids eval (script-src 'self'), so the probe is reported
// as a violation on every start: the interpreted parsers are fast enough for IPC payloads.
import { z } from 'zod';

z.config({ jitless: true });
